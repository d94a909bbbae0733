using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Proxy.Kinds.Http;

/// <summary>
/// Serves HTTP routes: the route's request policies (authentication, external authorization), then
/// <see cref="HttpForwarding"/> to a healthy destination chosen by weight.
/// </summary>
internal sealed class HttpRouteHandler(RoutePolicyPipeline policyPipeline, HttpForwarding forwarding, HttpBackendRuntimes backends)
{
    public Task HandleAsync(HttpContext context, GatewaySnapshot snapshot, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(match);
        var run = policyPipeline.RunAsync(context, match.Route, snapshot.PoliciesOf(match.Route));
        return run.IsCompletedSuccessfully ? ForwardOrRefuseAsync(context, match, run.Result) : AwaitPoliciesAsync(context, match, run);
    }

    private async Task AwaitPoliciesAsync(HttpContext context, RouteMatchResult match, ValueTask<(RequestScope? Scope, PolicyRefusal? Refusal)> run) =>
        await ForwardOrRefuseAsync(context, match, await run);

    private Task ForwardOrRefuseAsync(HttpContext context, RouteMatchResult match, (RequestScope? Scope, PolicyRefusal? Refusal) outcome)
    {
        if (outcome.Scope is not { } scope)
        {
            return RefuseAsync(context, outcome.Refusal!);
        }

        var route = match.Route;
        var http = route.Http;
        return forwarding.ForwardAsync(context, match, scope, backends.For(route), http.Auth, http.Tls, http.PreserveHost);
    }

    private static Task RefuseAsync(HttpContext context, PolicyRefusal refusal)
    {
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        context.Response.StatusCode = refusal.StatusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(refusal.Message, context.RequestAborted);
    }
}
