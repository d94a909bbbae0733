using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Policies;
using AgentGateway.Proxy.Routing;

namespace AgentGateway.Proxy.Http;

/// <summary>
/// Serves HTTP routes: the route's request policies (authentication, external authorization), then
/// <see cref="HttpForwarding"/> to a healthy destination chosen by weight.
/// </summary>
internal sealed class HttpRouteHandler(RoutePolicyPipeline policyPipeline, HttpForwarding forwarding, HttpBackendRuntimes backends)
{
    public async Task HandleAsync(HttpContext context, GatewaySnapshot snapshot, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(match);
        var route = match.Route;
        var (scope, refusal) = await policyPipeline.RunAsync(context, route, snapshot.PoliciesOf(route));
        if (scope is null)
        {
            foreach (var (name, value) in refusal!.Headers)
            {
                context.Response.Headers.Append(name, value);
            }

            context.Response.StatusCode = refusal.StatusCode;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(refusal.Message, context.RequestAborted);
            return;
        }

        var http = route.Http;
        await forwarding.ForwardAsync(context, match, scope, backends.For(route), http.Auth, http.Tls, http.PreserveHost);
    }
}
