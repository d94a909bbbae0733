using AgentGateway.Proxy.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>Registers the A2A route kind's services.</summary>
internal static class A2aGatewayExtensions
{
    public static IHostApplicationBuilder AddA2aGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpForwarder();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<A2aMetrics>();
        builder.Services.TryAddSingleton<A2aCardCache>();
        builder.Services.TryAddSingleton<A2aWebhookGuard>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteKind, A2aRouteHandler>());
        return builder;
    }
}
