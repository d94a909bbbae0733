using AgentGateway.Proxy.Pipeline.Routing;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>
/// The traffic policies that answer or mark a request before its backend kind sees it (for every route kind): CORS
/// preflights, redirects and direct responses answered here; response header changes and CORS headers added to
/// every answer as it starts, whoever writes it.
/// </summary>
internal static class TrafficResponses
{
    /// <summary>Applies the route's traffic policies ahead of its backend; true when the request has been answered.</summary>
    public static async ValueTask<bool> TryAnswerAsync(HttpContext context, TrafficPolicyRuntime traffic, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(traffic);
        if (ReferenceEquals(traffic, TrafficPolicyRuntime.None))
        {
            return false;
        }

        var preflight = traffic.Cors is not null && CorsPolicy.IsPreflight(context.Request);
        if (traffic.ResponseHeaders is not null || (traffic.Cors is not null && !preflight))
        {
            context.Response.OnStarting(static state =>
            {
                var (http, policies, corsHeaders) = ((HttpContext, TrafficPolicyRuntime, bool))state;
                if (corsHeaders)
                {
                    policies.Cors!.ApplyToResponse(http);
                }

                policies.ResponseHeaders?.ApplyTo(http.Response.Headers);
                return Task.CompletedTask;
            }, (context, traffic, traffic.Cors is not null && !preflight));
        }

        if (preflight)
        {
            await traffic.Cors!.AnswerPreflightAsync(context);
            return true;
        }

        if (traffic.Redirect is { } redirect)
        {
            await redirect.WriteAsync(context, match);
            return true;
        }

        if (traffic.DirectResponse is { } direct)
        {
            await direct.WriteAsync(context);
            return true;
        }

        return false;
    }
}
