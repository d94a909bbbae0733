using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Health;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Health;

namespace AgentGateway.Proxy.Kinds.Http;

/// <summary>
/// The HTTP route kind: <see cref="HttpForwarding"/> to a healthy destination chosen by weight; refusals as plain text.
/// Each route's destinations with their health are its kind state (<see cref="HttpBackendRuntime"/>).
/// </summary>
internal sealed class HttpRouteHandler(HttpForwarding forwarding, DestinationHealthRegistry health, TimeProvider time) : IRouteKind
{
    private readonly DestinationHealthRegistry _health = health;
    private readonly TimeProvider _time = time;

    public Route.BackendOneofCase Backend => Route.BackendOneofCase.Http;

    public Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = request.Route.Http;
        var destinations = request.Runtime.KindState(this, static (route, kind) => new HttpBackendRuntime(route, kind._health, kind._time));
        return forwarding.ForwardAsync(context, request.Match, request.Allowed, destinations, http.Auth, http.Tls, http.PreserveHost);
    }

    public Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        return WholeBody.WriteTextAsync(context, refusal.StatusCode, refusal.Message);
    }

    /// <summary>Every destination, probed with a GET of the check's path when the route has an active check.</summary>
    public IEnumerable<HealthTarget> HealthTargetsOf(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var name = $"{route.Tenant}/{route.Name}";
        var check = route.Http.ActiveHealthCheck;
        var tls = route.Http.Tls;
        foreach (var destination in route.Http.Destinations)
        {
            var probe = check is null ? null : new HealthProbe(check, (check, tls), tls, () =>
                new BackendRequestContext(null, null, tls).Apply(new HttpRequestMessage(HttpMethod.Get, new Uri(destination.Url.TrimEnd('/') + check.Path))));
            yield return new HealthTarget(DestinationHealthRegistry.KeyOf(route, destination.Url), name, destination.Name, destination.Url, probe);
        }
    }
}
