using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Health;
using AgentGateway.Proxy.Pipeline.Traffic;
using AgentGateway.Proxy.Upstream.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Proxy.Kinds.Http;

internal static class HttpRoutingExtensions
{
    /// <summary>HTTP routes: YARP's forwarder, the traffic policies, destination health (active probes and passive ejection), mirrors.</summary>
    public static IServiceCollection AddHttpRoutes(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpForwarder();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DestinationHealthRegistry>();
        services.TryAddSingleton<HttpBackendRuntimes>();
        services.TryAddSingleton<RequestMirrors>();
        services.TryAddSingleton<HttpForwarding>();
        services.TryAddSingleton<HttpRouteHandler>();
        services.AddHostedService<ActiveHealthChecker>();
        return services;
    }
}
