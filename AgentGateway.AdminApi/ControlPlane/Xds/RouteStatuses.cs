using AgentGateway.Contracts;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Whether a route reaches traffic: left out by the control plane (a missing secret, a rule proxies would refuse) or
/// refused by a connected proxy, as the latest snapshot and the proxies' replies say. Proxies report to the AdminApi
/// replica they are connected to, so each replica knows of its own proxies.
/// </summary>
internal sealed class RouteStatuses(XdsSnapshotCache cache, ProxyRegistry registry)
{
    public const string Served = "served";
    public const string Pending = "pending";
    public const string Refused = "refused";

    public RouteStatusResponse Of(string tenant, string route)
    {
        var name = RouteResources.ResourceName(tenant, route);
        var snapshot = cache.Current;
        var problems = new List<RouteProblemResponse>();
        if (snapshot.LeftOut.TryGetValue(name, out var reason))
        {
            problems.Add(new RouteProblemResponse("control-plane", reason, PreviousServed: false));
        }

        foreach (var proxy in registry.Connected)
        {
            foreach (var rejected in proxy.Rejected.Where(rejected => rejected.TypeUrl == ResourceTypes.Route && rejected.Name == name))
            {
                problems.Add(new RouteProblemResponse($"proxy {proxy.NodeId}", string.Join("; ", rejected.Errors), rejected.PreviousServed));
            }
        }

        var state = problems.Count > 0 ? Refused : snapshot.Of(ResourceTypes.Route).ContainsKey(name) ? Served : Pending;
        return new RouteStatusResponse(state, problems);
    }
}
