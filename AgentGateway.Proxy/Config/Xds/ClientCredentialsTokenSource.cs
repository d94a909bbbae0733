using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// The proxy's own access token for the control plane, from the issuer's client-credentials grant. The token
/// endpoint comes from the issuer's discovery document; the token is reused until shortly before it expires.
/// </summary>
internal sealed class ClientCredentialsTokenSource(
    IHttpClientFactory httpClientFactory,
    IOptions<XdsOptions> options,
    TimeProvider timeProvider)
{
    public const string HttpClientName = "xds-token";

    private static readonly TimeSpan s_renewBefore = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Uri? _tokenEndpoint;
    private string? _token;
    private DateTimeOffset _expiresAt;

    /// <summary>A valid token, or null when the proxy is configured to connect without one.</summary>
    public async Task<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.ClientId))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is not null && timeProvider.GetUtcNow() < _expiresAt - s_renewBefore)
            {
                return _token;
            }

            var http = httpClientFactory.CreateClient(HttpClientName);
            _tokenEndpoint ??= await DiscoverTokenEndpointAsync(http, settings.Authority!, cancellationToken);
            using var response = await http.PostAsync(_tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.ClientId,
                ["client_secret"] = settings.ClientSecret ?? string.Empty,
            }), cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (!response.IsSuccessStatusCode || !body.TryGetProperty("access_token", out var token))
            {
                throw new InvalidOperationException(
                    $"The issuer refused the proxy's client credentials ({(int)response.StatusCode}): {body}");
            }

            var lifetime = body.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromMinutes(5);
            _token = token.GetString();
            _expiresAt = timeProvider.GetUtcNow() + lifetime;
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the cached token, e.g. after the control plane rejected it.</summary>
    public void Invalidate() => _token = null;

    private static async Task<Uri> DiscoverTokenEndpointAsync(HttpClient http, Uri authority, CancellationToken cancellationToken)
    {
        var discovery = new Uri(authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");
        var document = await http.GetFromJsonAsync<JsonElement>(discovery, cancellationToken);
        return document.TryGetProperty("token_endpoint", out var endpoint) && Uri.TryCreate(endpoint.GetString(), UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException($"The discovery document at {discovery} has no token_endpoint.");
    }
}
