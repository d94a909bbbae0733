using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Authentication.Jwt;
using AgentGateway.Proxy.Pipeline.Draining;
using AgentGateway.Proxy.Pipeline.ExtAuthz;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Health;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Pipeline.Traffic;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.Reporting;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Auth;
using AgentGateway.Proxy.Upstream.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline;

internal static class PipelineExtensions
{
    /// <summary>
    /// The corridor (<see cref="GatewayEndpoint"/>) and what every route kind shares on it: the running config, the
    /// request policies of routes, forwarding with the traffic policies, upstream health, and the backend connections
    /// policies govern (egress, TLS, backend auth). The route kinds register themselves as <see cref="IRouteKind"/>.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayPipeline(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddGatewayTelemetry();
        services.TryAddSingleton<SnapshotStore>();
        services.TryAddSingleton<IEgressPolicySource>(provider => provider.GetRequiredService<SnapshotStore>());
        services.AddHealthChecks().AddCheck<ConfigAppliedHealthCheck>("config").AddCheck<DrainingHealthCheck>("draining");
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.Timeout);
        services.TryAddSingleton<ProxyDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ProxyDrain>());
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EgressGuard>();
        services.TryAddSingleton<BackendCredentials>();
        services.TryAddSingleton<BackendHttpClients>();
        services.TryAddSingleton<JwtKeyCache>();
        services.TryAddSingleton<JwtValidator>();
        services.TryAddSingleton<ApiKeyUsageRecorder>();
        services.TryAddSingleton<ToolObservationRecorder>();
        services.TryAddSingleton<LlmUsageRecorder>();
        services.TryAddSingleton<CallRecorder>();
        services.TryAddSingleton<RequestAuthenticator>();
        services.TryAddSingleton<ExternalAuthorizer>();
        services.AddGatewayRateLimiting();
        services.TryAddSingleton<RoutePolicyPipeline>();
        services.AddHttpForwarder();
        services.TryAddSingleton<DestinationHealthRegistry>();
        services.TryAddSingleton<RequestMirrors>();
        services.TryAddSingleton<HttpForwarding>();
        services.AddHostedService<ActiveHealthChecker>();
        services.TryAddSingleton<GatewayEndpoint>();
        return builder;
    }
}
