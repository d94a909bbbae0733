using AgentGateway.Proxy.Telemetry.AccessLog;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>The proxy's metrics, their route labels and the access log (section <c>Telemetry</c>).</summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<MetricLabels>();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<AccessLogWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<AccessLogWriter>());
        return services;
    }
}
