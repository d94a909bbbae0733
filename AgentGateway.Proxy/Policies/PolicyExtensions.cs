using AgentGateway.Proxy.Backends;
using AgentGateway.Proxy.Backends.Auth;
using AgentGateway.Proxy.Policies.Authentication;
using AgentGateway.Proxy.Policies.Authentication.Jwt;
using AgentGateway.Proxy.Policies.ExtAuthz;
using AgentGateway.Proxy.Policies.RateLimiting;
using AgentGateway.Proxy.Reporting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Policies;

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
