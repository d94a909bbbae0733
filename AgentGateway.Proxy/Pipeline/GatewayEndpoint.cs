using AgentGateway.Proxy.Kinds.A2a;
using AgentGateway.Proxy.Kinds.Http;
using AgentGateway.Proxy.Kinds.Llm;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Pipeline.Traffic;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// The one handler behind every route of the running config. Routes come and go with config changes, so it matches
/// each request against the current snapshot's route table and hands it to its backend kind; a request no route takes
/// answers 404. Before the backend kind, the route's CORS preflight, redirect or direct
/// response may answer (see <see cref="TrafficResponses"/>).
/// </summary>
internal sealed class GatewayEndpoint(SnapshotStore snapshots, McpEndpointHandler mcp, HttpRouteHandler http, A2aRouteHandler a2a, LlmRouteHandler llm)
{
    /// <remarks>
    /// Not an async method: a request that only forwards returns its backend kind's task, without a state machine of
    /// its own on the hot path.
    /// </remarks>
    public Task HandleAsync(HttpContext context)
    {
        var snapshot = snapshots.Current;
        if (snapshot is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ProtectedResourceMetadata.WellKnownPrefix, StringComparison.Ordinal))
        {
            return ServeWellKnownAsync(context, snapshot, path);
        }

        return Dispatch(context, snapshot);
    }

    private async Task ServeWellKnownAsync(HttpContext context, GatewaySnapshot snapshot, string path)
    {
        if (!await McpEndpointHandler.TryServeResourceMetadataAsync(context, snapshot, path[ProtectedResourceMetadata.WellKnownPrefix.Length..]))
        {
            await Dispatch(context, snapshot);
        }
    }

    private Task Dispatch(HttpContext context, GatewaySnapshot snapshot)
    {
        if (snapshot.Table.Match(context.Request) is not { } match)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var answered = TrafficResponses.TryAnswerAsync(context, snapshot.PoliciesOf(match.Route).Traffic, match);
        if (!answered.IsCompletedSuccessfully)
        {
            return DispatchUnansweredAsync(context, snapshot, match, answered);
        }

        return answered.Result ? Task.CompletedTask : DispatchToBackend(context, snapshot, match);
    }

    private async Task DispatchUnansweredAsync(HttpContext context, GatewaySnapshot snapshot, RouteMatchResult match, ValueTask<bool> answered)
    {
        if (!await answered)
        {
            await DispatchToBackend(context, snapshot, match);
        }
    }

    private Task DispatchToBackend(HttpContext context, GatewaySnapshot snapshot, RouteMatchResult match)
    {
        switch (match.Route.BackendCase)
        {
            case Route.BackendOneofCase.Mcp:
                return mcp.HandleAsync(context, snapshot, match);
            case Route.BackendOneofCase.Http:
                return http.HandleAsync(context, snapshot, match);
            case Route.BackendOneofCase.A2A:
                return a2a.HandleAsync(context, snapshot, match);
            case Route.BackendOneofCase.Llm:
                return llm.HandleAsync(context, snapshot, match);
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }
}

internal static class GatewayEndpointExtensions
{
    public static IHostApplicationBuilder AddGatewayRouting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpRoutes();
        builder.AddA2aGateway();
        builder.Services.AddLlmGateway();
        builder.Services.AddSingleton<GatewayEndpoint>();
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
        app.Use((context, next) => IsHealthProbe(context.Request.Path) ? next(context) : endpoint.HandleAsync(context));
        app.UseRouting();
        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.LivenessPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.ReadinessPath, StringComparison.OrdinalIgnoreCase);
}
