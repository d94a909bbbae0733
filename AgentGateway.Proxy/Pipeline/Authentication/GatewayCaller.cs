using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Upstream.Auth;

namespace AgentGateway.Proxy.Pipeline.Authentication;

/// <summary>
/// Who is calling, as the route's authentication established it: the claims of a validated token, the API key, or
/// nobody. Authorization rules see it as <c>jwt</c> and <c>apiKey</c>; sessions are bound to its <see cref="Subject"/>.
/// </summary>
internal sealed class GatewayCaller : ICallerCredentials
{
    private static readonly Dictionary<string, object?> s_noClaims = new(StringComparer.Ordinal);

    /// <summary>A caller the route did not (or need not) identify.</summary>
    public static GatewayCaller Anonymous { get; } = new();

    /// <summary><c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>, or null for an anonymous caller.</summary>
    public string? Subject { get; init; }

    /// <summary>The client's own Authorization header, as sent (forwarded only by a backend's passthrough auth).</summary>
    public string? Authorization { get; init; }

    /// <summary>The validated bearer token (for token exchange on the caller's behalf).</summary>
    public string? BearerToken { get; init; }

    /// <summary>The token's claims as CEL values (empty without a token).</summary>
    public IReadOnlyDictionary<string, object?> Claims { get; init; } = s_noClaims;

    /// <summary>The API key the request carried, if that is how it authenticated.</summary>
    public ApiKey? ApiKey { get; init; }

    /// <summary>The token's scopes (<c>scope</c> or <c>scp</c>).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// Headers to send on the requests made upstream for this request: those an external authorization service or rate
    /// limit service asked for, and on MCP routes the route's request header changes.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> UpstreamHeaders { get; init; } = [];

    /// <summary>This caller with <paramref name="headers"/> added to its upstream headers.</summary>
    public GatewayCaller WithUpstreamHeaders(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        ReplacingUpstreamHeaders(UpstreamHeaders.Count == 0 ? headers : [.. UpstreamHeaders, .. headers]);

    /// <summary>This caller with <paramref name="headers"/> instead of its upstream headers.</summary>
    public GatewayCaller ReplacingUpstreamHeaders(IReadOnlyList<KeyValuePair<string, string>> headers) => new()
    {
        Subject = Subject,
        Authorization = Authorization,
        BearerToken = BearerToken,
        Claims = Claims,
        ApiKey = ApiKey,
        Scopes = Scopes,
        UpstreamHeaders = headers,
    };

    /// <summary>The <c>apiKey</c> variable of authorization rules.</summary>
    public Dictionary<string, object?> ApiKeyVariable()
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (ApiKey is { } key)
        {
            map["id"] = key.Id;
            map["name"] = key.Name;
            map["metadata"] = key.Metadata.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal);
        }

        return map;
    }
}
