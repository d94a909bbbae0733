using AgentGateway.Proxy.Pipeline.Health;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// A backend kind (HTTP, A2A, MCP, LLM) as the corridor sees it. The corridor finds the route, lets the route's own
/// answers go first (CORS preflight, redirect, direct response), runs the route's policies once, and hands the request
/// to its kind: to refuse in the kind's protocol, or to serve.
/// </summary>
internal interface IRouteKind
{
    /// <summary>The routes this kind serves.</summary>
    Route.BackendOneofCase Backend { get; }

    /// <summary>
    /// Answers what the kind answers before the route's policies run (a public agent card, a browser origin the route
    /// does not accept); false to go on.
    /// </summary>
    ValueTask<bool> AnswerBeforePoliciesAsync(HttpContext context, RouteRequest request) => ValueTask.FromResult(false);

    /// <summary>Answers a request the route's policies refused, in the kind's protocol.</summary>
    Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal);

    /// <summary>Serves a request the route's policies let through (<see cref="RouteRequest.Scope"/> is set).</summary>
    Task ServeAsync(HttpContext context, RouteRequest request);

    /// <summary>The upstreams of a route whose health the gateway keeps, each with its active probe if the route has one.</summary>
    IEnumerable<HealthTarget> HealthTargetsOf(Route route) => [];
}
