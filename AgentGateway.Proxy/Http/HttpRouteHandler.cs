using AgentGateway.Proxy.Backends;
using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Policies;
using AgentGateway.Proxy.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.Http;

/// <summary>Serves HTTP routes: the route's request policies, then YARP's forwarder to one of its destinations.</summary>
internal sealed class HttpRouteHandler(IHttpForwarder forwarder, RoutePolicyPipeline policyPipeline, BackendHttpClients clients)
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
            await context.Response.WriteAsync(refusal.Message, context.RequestAborted);
            return;
        }

        var destination = route.Http.Destinations[0];
        await forwarder.SendAsync(context, destination.Url, clients.ForwarderFor(route.Http.Tls), ForwarderRequestConfig.Empty, HttpTransformer.Default);
    }
}
