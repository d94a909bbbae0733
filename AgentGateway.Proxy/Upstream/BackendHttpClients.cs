using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Upstream.Auth;
using Google.Protobuf;

namespace AgentGateway.Proxy.Upstream;

/// <summary>
/// The HTTP clients for the gateway's requests upstream: one connection pool per distinct TLS setting (the default
/// one for backends without), every connection opened through the <see cref="EgressGuard"/>, every request
/// authenticated by <see cref="BackendAuthHandler"/> from its <see cref="BackendRequestContext"/>.
/// </summary>
/// <remarks>
/// An answer read whole through these clients (buffered) is bounded by <see cref="GatewayLimitsOptions.MaxUpstreamMessageBytes"/>;
/// streamed ones are bounded where they are read (<see cref="BoundedBody"/>, <see cref="SseEventLimit"/>).
/// </remarks>
internal sealed class BackendHttpClients(EgressGuard egress, BackendCredentials credentials, Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Pool>> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<HttpMessageInvoker>> _forwarders = new(StringComparer.Ordinal);

    // A config's TLS settings are the same instances for every request until the next snapshot: the pool found for one
    // is kept beside it, so a request does not hash the settings again.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<BackendTls, HttpMessageInvoker> _forwarderOf = [];

    /// <summary>The client for backends with <paramref name="tls"/> (null: the system's trust, no client certificate).</summary>
    public HttpClient For(BackendTls? tls) => PoolFor(tls).Client;

    /// <summary>
    /// The invoker YARP's forwarder sends through for backends with <paramref name="tls"/>: a pool of its own that
    /// leaves bodies, cookies and redirects untouched (a proxy passes them on), still egress-checked and authenticated
    /// from each request's <see cref="BackendRequestContext"/>.
    /// </summary>
    public HttpMessageInvoker ForwarderFor(BackendTls? tls) =>
        tls is null ? ForwarderAt(tls)
        : _forwarderOf.TryGetValue(tls, out var invoker) ? invoker
        : _forwarderOf.GetValue(tls, ForwarderAt);

    private HttpMessageInvoker ForwarderAt(BackendTls? tls) => _forwarders.GetOrAdd(KeyOf(tls), _ => new Lazy<HttpMessageInvoker>(() => CreateForwarder(tls))).Value;

    /// <summary>
    /// A client whose every request carries <paramref name="context"/>, for libraries that make their own requests
    /// (the MCP SDK's SSE transport). Dispose it when done; the connection pool stays.
    /// </summary>
    public HttpClient WithContext(BackendRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new HttpClient(new FixedContextHandler(PoolFor(context.Tls).Invoker, context), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private Pool PoolFor(BackendTls? tls) => _pools.GetOrAdd(KeyOf(tls), _ => new Lazy<Pool>(() => Create(tls))).Value;

    private static string KeyOf(BackendTls? tls) => tls is null ? string.Empty : Convert.ToHexStringLower(SHA256.HashData(tls.ToByteArray()));

    private HttpMessageInvoker CreateForwarder(BackendTls? tls)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ActivityHeadersPropagator = new Yarp.ReverseProxy.Forwarder.ReverseProxyPropagator(System.Diagnostics.DistributedContextPropagator.Current),
            ConnectCallback = egress.ConnectAsync,
        };
        if (tls is not null)
        {
            handler.SslOptions = BackendTlsOptions.Create(tls);
        }

        return new HttpMessageInvoker(new BackendAuthHandler(credentials) { InnerHandler = handler }, disposeHandler: true);
    }

    private Pool Create(BackendTls? tls)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            ConnectCallback = egress.ConnectAsync,
        };
        if (tls is not null)
        {
            handler.SslOptions = BackendTlsOptions.Create(tls);
        }

        var chain = new BackendAuthHandler(credentials) { InnerHandler = handler };
        var client = new HttpClient(chain, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = limits.Value.MaxUpstreamMessageBytes };
        return new Pool(client, new HttpMessageInvoker(chain, disposeHandler: true));
    }

    public void Dispose()
    {
        foreach (var pool in _pools.Values.Where(pool => pool.IsValueCreated))
        {
            pool.Value.Client.Dispose();
            pool.Value.Invoker.Dispose();
        }

        foreach (var forwarder in _forwarders.Values.Where(forwarder => forwarder.IsValueCreated))
        {
            forwarder.Value.Dispose();
        }
    }

    private sealed record Pool(HttpClient Client, HttpMessageInvoker Invoker);

    /// <summary>Sets the context on requests that arrive without one, then sends them through the shared pool.</summary>
    private sealed class FixedContextHandler(HttpMessageInvoker pool, BackendRequestContext context) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Options.TryGetValue(BackendRequestContext.Key, out _))
            {
                context.Apply(request);
            }

            return pool.SendAsync(request, cancellationToken);
        }
    }
}
