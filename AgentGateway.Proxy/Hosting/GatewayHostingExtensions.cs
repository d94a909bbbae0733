using AgentGateway.Proxy.Kinds.A2a;
using AgentGateway.Proxy.Kinds.Http;
using AgentGateway.Proxy.Kinds.Llm;
using AgentGateway.Proxy.Kinds.Mcp;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Telemetry.AccessLog;

namespace AgentGateway.Proxy.Hosting;

internal static class GatewayHostingExtensions
{
    /// <summary>The route kinds the corridor hands requests to: HTTP, A2A, MCP and LLM.</summary>
    public static IHostApplicationBuilder AddRouteKinds(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpRoutes();
        builder.AddA2aGateway();
        builder.AddMcpGateway();
        builder.Services.AddLlmGateway();
        return builder;
    }

    /// <summary>
    /// Serves every route of the running config from a terminal middleware ahead of endpoint routing: a gateway request
    /// skips the endpoint matcher altogether, and only the health probes (<c>/healthz</c>, <c>/readyz</c>) go on to the
    /// endpoints mapped after it.
    /// </summary>
    public static WebApplication UseGatewayRoutes(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var endpoint = app.Services.GetRequiredService<GatewayEndpoint>();
        var accessLog = app.Services.GetRequiredService<AccessLogWriter>();
        if (accessLog.Enabled)
        {
            app.Use((context, next) => IsHealthProbe(context.Request.Path) ? next(context) : accessLog.LogAsync(context, endpoint.HandleAsync));
        }
        else
        {
            app.Use((context, next) => IsHealthProbe(context.Request.Path) ? next(context) : endpoint.HandleAsync(context));
        }

        app.UseRouting();
        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.LivenessPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.ReadinessPath, StringComparison.OrdinalIgnoreCase);
}
