using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Authentication.Jwt;
using AgentGateway.Proxy.Pipeline.ExtAuthz;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Telemetry.Reporting;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline;

internal static class PolicyExtensions
{
    /// <summary>The request policies of routes and the backend connections they govern (egress, TLS, backend auth).</summary>
    public static IHostApplicationBuilder AddGatewayPolicies(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
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
        services.TryAddSingleton<RequestAuthenticator>();
        services.TryAddSingleton<ExternalAuthorizer>();
        services.AddGatewayRateLimiting();
        services.TryAddSingleton<RoutePolicyPipeline>();
        return builder;
    }
}
