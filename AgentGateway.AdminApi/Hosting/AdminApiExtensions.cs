using System.Text.Json.Serialization;
using AgentGateway.AdminApi.ControlPlane;
using AgentGateway.AdminApi.Domain.Agents;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Mcp;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.AdminApi.Hosting.DemoData;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace AgentGateway.AdminApi.Hosting;

internal static class AdminApiExtensions
{
    /// <summary>The REST API's services: ProblemDetails, JSON, OpenAPI, and what the handlers use.</summary>
    public static IHostApplicationBuilder AddAdminApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never);
        services.AddOpenApi();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<TenantAccess>();
        // A tenant endpoint's TenantGrant parameter: the stand-in its filter replaces with the caller's grant.
        services.TryAddScoped(_ => TenantFilter.Unresolved);
        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.SectionName);
        services.TryAddScoped<EgressGuard>();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.SectionName);
        services.AddOptions<DemoDataOptions>().BindConfiguration(DemoDataOptions.SectionName);
        services.TryAddSingleton<DemoDataSeeder>();
        services.TryAddSingleton<EgressConnector>();
        services.AddHttpClient(RouteToolsLister.HttpClientName).WithoutResilience()
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler { ConnectCallback = provider.GetRequiredService<EgressConnector>().ConnectAsync });
        services.TryAddSingleton<RouteToolsLister>();
        services.AddHttpClient(AgentCardFetcher.HttpClientName).WithoutResilience()
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<EgressConnector>().ConnectAsync,
                AllowAutoRedirect = false,
            });
        services.TryAddSingleton<AgentCardFetcher>();
        services.AddOptions<McpRegistryOptions>().BindConfiguration(McpRegistryOptions.SectionName);
        services.AddHttpClient(McpRegistryClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10)).WithoutResilience();
        services.TryAddSingleton<McpRegistryClient>();
        services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.SectionName);
        services.AddOptions<Domain.Identity.PlatformIssuerOptions>().BindConfiguration(Domain.Identity.PlatformIssuerOptions.SectionName);
        services.AddHttpClient(UserTokenVault.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15)).WithoutResilience()
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<EgressConnector>().ConnectAsync,
                AllowAutoRedirect = false,
            })
            .ConfigureHttpClient(client => client.MaxResponseContentBufferSize = 1024 * 1024);
        services.TryAddScoped<UserTokenVault>();
        services.AddOptions<TokenRevocationOptions>().BindConfiguration(TokenRevocationOptions.SectionName)
            .Validate(
                revocation => revocation.MaxAttempts >= 1 && revocation.FirstRetry > TimeSpan.Zero && revocation.LongestRetry >= revocation.FirstRetry,
                $"{TokenRevocationOptions.SectionName}: MaxAttempts must be at least 1, FirstRetry above zero and LongestRetry at least FirstRetry.")
            .ValidateOnStart();
        services.AddHostedService<TokenRevocationWorker>();
        return builder;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        // Where a client signs in for this API (agw login asks before it has a token).
        app.MapGet("/api/v1/sign-in", (Microsoft.Extensions.Options.IOptions<IdentityOptions> identity) =>
                TypedResults.Ok(new SignInResponse(identity.Value.Authority!.AbsoluteUri.TrimEnd('/'), identity.Value.Audience)))
            .AllowAnonymous().WithName("GetSignIn").WithTags("Identity").WithSummary("The issuer this API takes tokens from, and their audience (anonymous)");
        app.MapTenantsApi();
        app.MapMcpServersApi();
        app.MapTenantBudgetApi();
        app.MapRoutesApi();
        app.MapAgentsApi();
        app.MapLlmProvidersApi();
        app.MapLlmUsageApi();
        app.MapCallsApi();
        app.MapModelPricesApi();
        app.MapSecretsApi();
        app.MapPoliciesApi();
        app.MapApiKeysApi();
        app.MapRolesApi();
        app.MapTenantConfigApi();
        app.MapRoleBindingsApi();
        app.MapToolPinsApi();
        app.MapEgressAllowlistApi();
        app.MapHostsApi();
        app.MapProxiesApi();
        app.MapSessionKeysApi();
        app.MapAuditApi();
        app.MapConnectionsApi();
        return app;
    }
}
