using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Backends;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.A2a;

/// <summary>
/// The one place A2A requests leave the gateway: YARP's forwarder through the backend's invoker (egress guard,
/// backend auth from the request's <see cref="BackendRequestContext"/>). Kept small so that the resilient HTTP
/// forwarding service (timeouts, retries, mirrors) can take its place.
/// </summary>
internal sealed class A2aForwarder(IHttpForwarder forwarder, BackendHttpClients clients)
{
    /// <summary>No activity timeout for streams: a task may stay quiet for long; the client's disconnect ends it.</summary>
    private static readonly ForwarderRequestConfig s_streaming = new() { ActivityTimeout = Timeout.InfiniteTimeSpan };

    private static readonly ForwarderRequestConfig s_default = new() { ActivityTimeout = TimeSpan.FromMinutes(5) };

    public ValueTask<ForwarderError> SendAsync(HttpContext context, A2aBackend backend, HttpTransformer transformer, bool streaming)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(backend);
        return forwarder.SendAsync(context, backend.Url, clients.ForwarderFor(backend.Tls), streaming ? s_streaming : s_default, transformer);
    }
}
