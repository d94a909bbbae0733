using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Upstream.Auth;

namespace AgentGateway.Proxy.Upstream;

/// <summary>
/// How one request to a backend is to be authenticated: the backend's auth and the caller on whose behalf the gateway
/// sends it (for passthrough and token exchange). Travels in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal sealed record BackendRequestContext(BackendAuth? Auth, ICallerCredentials? Caller, BackendTls? Tls = null)
{
    public static readonly HttpRequestOptionsKey<BackendRequestContext> Key = new("agentgateway.backend");

    /// <summary>The context for a request, or null when it would change nothing (no auth, TLS or caller headers).</summary>
    public static BackendRequestContext? For(BackendAuth? auth, ICallerCredentials caller, BackendTls? tls) =>
        auth is null && tls is null && caller.UpstreamHeaders.Count == 0 ? null : new BackendRequestContext(auth, caller, tls);

    /// <summary>Attaches this context to <paramref name="request"/>.</summary>
    public HttpRequestMessage Apply(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(Key, this);
        if (Tls is { Sni.Length: > 0 } tls)
        {
            // The host the certificate is checked against, and the SNI .NET sends, follow the Host header.
            request.Headers.Host = request.RequestUri is { IsDefaultPort: false } uri ? $"{tls.Sni}:{uri.Port}" : tls.Sni;
        }

        return request;
    }
}
