using System.Diagnostics;
using System.Text.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Serves A2A routes: the agent card at <c>{route}/.well-known/agent-card.json</c> (and <c>agent.json</c>) as the
/// gateway's own (<see cref="A2aCardRewriter"/>); every other request, of either binding, after the route's policies
/// (authentication, then the method's authorization rules and the webhook URLs' check) forwarded to the agent below
/// its base URL, streams unbuffered.
/// </summary>
internal sealed partial class A2aRouteHandler(
    RoutePolicyPipeline policyPipeline,
    A2aCardCache cards,
    HttpForwarding forwarding,
    A2aWebhookGuard webhooks,
    A2aMetrics metrics,
    TimeProvider time,
    ILogger<A2aRouteHandler> logger)
{
    public const string CardPath = "/.well-known/agent-card.json";
    public const string LegacyCardPath = "/.well-known/agent.json";

    public async Task HandleAsync(HttpContext context, GatewaySnapshot snapshot, RouteMatchResult match)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(match);
        var started = time.GetTimestamp();
        var route = match.Route;
        var routeKey = $"{route.Tenant}/{route.Name}";
        var prefix = match.MatchedPrefix ?? string.Empty;
        var path = context.Request.Path.Value ?? string.Empty;
        var relative = path.Length >= prefix.Length ? path[prefix.Length..] : string.Empty;

        if (HttpMethods.IsGet(context.Request.Method) && relative is CardPath or LegacyCardPath)
        {
            var served = await ServeCardAsync(context, snapshot, route, prefix);
            metrics.Record(routeKey, "GetAgentCard", A2aVersions.Http, served ? "ok" : "unreachable", time.GetElapsedTime(started), null);
            return;
        }

        var policies = snapshot.PoliciesOf(route);
        var (scope, refusal) = await policyPipeline.RunAsync(context, route, policies);
        if (scope is null)
        {
            var binding = A2aRestPaths.Classify(context.Request.Method, relative) is not null ? A2aVersions.Rest : A2aVersions.JsonRpc;
            foreach (var (name, value) in refusal!.Headers)
            {
                context.Response.Headers.Append(name, value);
            }

            var unauthenticated = refusal.StatusCode == StatusCodes.Status401Unauthorized;
            await A2aErrorWriter.WriteAsync(context, binding, null,
                new A2aError(refusal.StatusCode, unauthenticated ? A2aErrorCodes.Unauthenticated : A2aErrorCodes.Forbidden, refusal.Message));
            metrics.Record(routeKey, string.Empty, binding, unauthenticated ? "unauthenticated" : "forbidden", time.GetElapsedTime(started), null);
            return;
        }

        var (operation, invalid, requestBinding) = await A2aRequestReader.ReadAsync(context, relative);
        if (operation is null)
        {
            await A2aErrorWriter.WriteAsync(context, requestBinding, null, invalid!);
            metrics.Record(routeKey, string.Empty, requestBinding, "invalid", time.GetElapsedTime(started), null);
            return;
        }

        Activity.Current?.SetTag("a2a.method", operation.Method);
        Activity.Current?.SetTag("a2a.binding", operation.Binding);
        if (await RefuseAsync(scope, operation, snapshot, context.RequestAborted) is { } refused)
        {
            await A2aErrorWriter.WriteAsync(context, operation.Binding, operation.Id, refused);
            var outcome = refused.Code == A2aErrorCodes.Forbidden ? "forbidden" : "invalid";
            if (refused.Code == A2aErrorCodes.Forbidden)
            {
                LogDenied(logger, routeKey, operation.Method);
            }

            metrics.Record(routeKey, operation.Method, operation.Binding, outcome, time.GetElapsedTime(started), null);
            return;
        }

        if (operation.Body is { } body)
        {
            context.Request.Body = new MemoryStream(body, writable: false);
            context.Request.ContentLength = body.Length;
        }

        if (operation.IsStreaming)
        {
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }

        var transformer = new A2aTransformer(route.A2A, scope, relative, operation, GatewayBase(context.Request, prefix));
        var mode = new ForwardingMode(operation.IsStreaming, (http, status, message) =>
            A2aErrorWriter.WriteAsync(http, operation.Binding, operation.Id, new A2aError(status, A2aErrorCodes.AgentUnavailable, message)));
        var a2a = route.A2A;
        var error = await forwarding.ForwardAsync(context, match, scope, a2a.Url, a2a.Auth, a2a.Tls, transformer, mode);
        string result;
        if (error != ForwarderError.None)
        {
            result = context.RequestAborted.IsCancellationRequested ? "cancelled"
                : error == ForwarderError.RequestTimedOut || context.Response.StatusCode == StatusCodes.Status504GatewayTimeout ? "timeout"
                : "unreachable";
            var reason = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
            LogForwardFailed(logger, routeKey, operation.Method, error.ToString(), reason);
        }
        else
        {
            result = context.Response.StatusCode >= 400 ? "agent_error" : "ok";
        }

        metrics.Record(routeKey, operation.Method, operation.Binding, result, time.GetElapsedTime(started), transformer.TaskState);
    }

    /// <summary>Why the route's policies refuse the operation (its authorization rules, a webhook URL), or null.</summary>
    private async Task<A2aError?> RefuseAsync(RequestScope scope, A2aOperation operation, GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        if (scope.Policies.A2aAuthorizationRules is { } rules)
        {
            var variables = new Dictionary<string, object?>(scope.Variables, StringComparer.Ordinal) { ["a2a"] = operation.Variable() };
            var allowed = false;
            foreach (var rule in rules)
            {
                if (CelExpressions.IsTrue(rule.Program, variables))
                {
                    allowed = true;
                    break;
                }
            }

            if (!allowed)
            {
                var what = operation.Method.Length > 0 ? operation.Method : $"{operation.Binding} request";
                return new A2aError(StatusCodes.Status403Forbidden, A2aErrorCodes.Forbidden, $"Forbidden: this route's authorization rules do not allow {what}.");
            }
        }

        foreach (var url in operation.WebhookUrls)
        {
            if (await webhooks.CheckAsync(url, snapshot.Egress, cancellationToken) is { } problem)
            {
                return new A2aError(StatusCodes.Status400BadRequest, A2aErrorCodes.InvalidParams, problem);
            }
        }

        return null;
    }

    private async Task<bool> ServeCardAsync(HttpContext context, GatewaySnapshot snapshot, Route route, string prefix)
    {
        var (card, error) = await cards.GetAsync(route, context.RequestAborted);
        if (card is null)
        {
            LogCardUnavailable(logger, $"{route.Tenant}/{route.Name}", error!);
            await A2aErrorWriter.WriteAsync(context, A2aVersions.Rest, null,
                new A2aError(StatusCodes.Status502BadGateway, A2aErrorCodes.AgentUnavailable, $"The agent's card is not available: {error}."));
            return false;
        }

        var rewritten = A2aCardRewriter.Rewrite(card.DeepClone().AsObject(), new Uri(route.A2A.Url), GatewayBase(context.Request, prefix), snapshot.PoliciesOf(route));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.WriteAsync(rewritten.ToJsonString(JsonSerializerOptions.Web), context.RequestAborted);
        return true;
    }

    /// <summary>The route's URL as the caller reached it, without a trailing '/'.</summary>
    private static string GatewayBase(HttpRequest request, string prefix) => $"{request.Scheme}://{request.Host}{request.PathBase}{prefix}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: A2A {Method} denied by the authorization rules")]
    private static partial void LogDenied(ILogger logger, string route, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: A2A {Method} could not be forwarded ({Error}): {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string route, string method, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: the agent card is not available: {Reason}")]
    private static partial void LogCardUnavailable(ILogger logger, string route, string reason);
}
