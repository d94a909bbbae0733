using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// A request on the corridor once its route is found: the config it is served by, how it matched, the route's
/// runtime, and (after the route's policies let it through) what they established about it.
/// </summary>
internal readonly record struct RouteRequest(GatewaySnapshot Snapshot, RouteMatchResult Match, RouteRuntime Runtime, RequestScope? Scope = null)
{
    public Route Route => Runtime.Route;

    /// <summary>The scope of a request the route's policies let through.</summary>
    public RequestScope Allowed => Scope ?? throw new InvalidOperationException("The route's policies have not run for this request.");
}
