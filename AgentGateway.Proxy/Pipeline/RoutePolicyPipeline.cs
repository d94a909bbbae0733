using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Authorization;
using AgentGateway.Proxy.Pipeline.ExtAuthz;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Telemetry;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// Runs a route's request policies before its backend sees the request: authentication, external authorization, the
/// route's authorization rules, then rate limits (which key on the caller those established).
/// Either refuses the request (the caller's protocol shapes the answer) or hands on the scope the backend serves it in.
/// </summary>
internal sealed class RoutePolicyPipeline(RequestAuthenticator authenticator, ExternalAuthorizer externalAuthorizer, RouteRateLimiter rateLimiter, GatewayMetrics metrics)
{
    /// <remarks>
    /// When traces are exported the policies run in a span of their own (<c>policies</c>, beneath the request's), where
    /// calls they make (external authorization, a JWKS fetch, Redis) show as children and a refusal as an error naming
    /// the policy; otherwise no span is made.
    /// </remarks>
    public ValueTask<(RequestScope? Scope, PolicyRefusal? Refusal)> RunAsync(HttpContext context, Route route, RoutePolicyRuntime policies)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policies);
        return GatewayActivities.Source.HasListeners() ? RunObservedAsync(context, route, policies) : RunCoreAsync(context, route, policies);
    }

    private async ValueTask<(RequestScope? Scope, PolicyRefusal? Refusal)> RunObservedAsync(HttpContext context, Route route, RoutePolicyRuntime policies)
    {
        using var activity = GatewayActivities.Source.StartActivity("policies", System.Diagnostics.ActivityKind.Internal);
        var outcome = await RunCoreAsync(context, route, policies);
        if (activity is not null)
        {
            activity.SetTag("agentgateway.route", $"{route.Tenant}/{route.Name}");
            if (outcome.Refusal is { } refusal)
            {
                activity.SetTag("agentgateway.policy", refusal.Policy);
                activity.SetTag("http.response.status_code", refusal.StatusCode);
                GatewayActivities.Failed(activity, refusal.Policy, refusal.Message);
            }
        }

        return outcome;
    }

    private async ValueTask<(RequestScope? Scope, PolicyRefusal? Refusal)> RunCoreAsync(HttpContext context, Route route, RoutePolicyRuntime policies)
    {
        var authentication = await authenticator.AuthenticateAsync(context, route, policies);
        if (authentication.Caller is not { } caller)
        {
            return (null, new PolicyRefusal(PolicyRefusal.Authentication, authentication.StatusCode, authentication.Error!,
                authentication.Challenge is { } challenge ? [new(HeaderNames.WWWAuthenticate, challenge)] : []));
        }

        if (policies.ExtAuthz is { } extAuthz)
        {
            var decision = await externalAuthorizer.CheckAsync(context, route, extAuthz);
            foreach (var (name, value) in decision.ResponseHeaders.Where(_ => decision.Allowed))
            {
                context.Response.Headers.Append(name, value);
            }

            if (!decision.Allowed)
            {
                var reason = decision.Body is { Length: > 0 } body ? body.Length > 500 ? body[..500] : body : "denied";
                return (null, new PolicyRefusal(PolicyRefusal.ExtAuthz, decision.StatusCode, $"Forbidden by external authorization: {reason.Trim()}", decision.ResponseHeaders));
            }

            if (decision.UpstreamHeaders.Count > 0)
            {
                caller = caller.ReplacingUpstreamHeaders(decision.UpstreamHeaders);
            }
        }

        Dictionary<string, object?>? variables = null;
        if (policies.RequestRules is { } rules)
        {
            variables = AuthorizationVariables.ForRequest(context, caller);
            if (!RoutePolicyRuntime.AnyHolds(rules, variables))
            {
                return (null, new PolicyRefusal(PolicyRefusal.Authorization, StatusCodes.Status403Forbidden, "Forbidden: this route's authorization rules do not allow this request.", []));
            }
        }

        if (policies.RateLimits is { } rateLimits)
        {
            var limit = await rateLimiter.TryTakeAsync(context, rateLimits, caller);
            metrics.RateLimited(route.Tenant, route.Name, limit.Allowed);
            if (!limit.Allowed)
            {
                return (null, new PolicyRefusal(PolicyRefusal.RateLimit, StatusCodes.Status429TooManyRequests, $"Rate limit exceeded: {limit.Reason}", RateLimitHeaders.For(limit)));
            }

            RateLimitHeaders.Apply(context.Response, limit);
            if (limit.UpstreamHeaders is { Count: > 0 } upstreamHeaders)
            {
                caller = caller.WithUpstreamHeaders(upstreamHeaders);
            }
        }

        if (policies.AuthorizationRules is null && policies.A2aAuthorizationRules is null && policies.OperationScopes.Count == 0)
        {
            return (ReferenceEquals(caller, GatewayCaller.Anonymous) ? policies.AnonymousScope : new RequestScope(caller, policies, policies.AnonymousScope.Variables), null);
        }

        // The kind's own rules see the same variables (only the caller's upstream headers changed since, which rules do not see).
        return (new RequestScope(caller, policies, variables ?? AuthorizationVariables.ForRequest(context, caller)), null);
    }
}
