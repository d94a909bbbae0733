using AgentGateway.AdminApi.ControlPlane.Reports;
using AgentGateway.AdminApi.ControlPlane.Xds;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentGateway.AdminApi.Hosting;

internal static class XdsServerExtensions
{
    public static IHostApplicationBuilder AddXdsServer(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddGrpc();
        builder.Services.AddOptions<XdsScopeOptions>().BindConfiguration(XdsScopeOptions.SectionName);
        builder.Services.TryAddSingleton<XdsSnapshotCache>();
        builder.Services.TryAddSingleton<RouteStatuses>();
        builder.Services.TryAddSingleton<XdsSnapshotBuilder>();
        builder.Services.TryAddSingleton<ProxyRegistry>();
        builder.Services.TryAddSingleton<XdsMetrics>();
        builder.Services.TryAddScoped<ToolObservations>();
        builder.Services.TryAddScoped<LlmUsageIngestion>();
        builder.Services.TryAddScoped<CallRecordIngestion>();
        builder.Services.TryAddSingleton<ReportMetrics>();
        builder.Services.AddOptions<CallRetentionOptions>().BindConfiguration(CallRetentionOptions.SectionName);
        builder.Services.AddHostedService<CallRecordRetention>();
        builder.Services.AddHostedService<ConfigChangeListener>();
        return builder;
    }

    public static IEndpointRouteBuilder MapXdsServer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<AggregatedDiscoveryServer>();
        endpoints.MapGrpcService<GatewayReportsServer>();
        return endpoints;
    }
}
