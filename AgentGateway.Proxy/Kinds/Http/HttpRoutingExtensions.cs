using AgentGateway.Proxy.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Proxy.Kinds.Http;

internal static class HttpRoutingExtensions
{
    /// <summary>The HTTP route kind (forwarding, destination health and the rest come with the pipeline).</summary>
    public static IServiceCollection AddHttpRoutes(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteKind, HttpRouteHandler>());
        return services;
    }
}
