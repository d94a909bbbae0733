using System.Diagnostics;
using System.Text.Json;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.AccessLog;
using AgentGateway.Proxy.Telemetry.Reporting;
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
    A2aCardCache cards,
    HttpForwarding forwarding,
    A2aWebhookGuard webhooks,
    A2aMetrics metrics,
    GatewayMetrics gatewayMetrics,
    CallRecorder calls,
    TimeProvider time,
    ILogger<A2aRouteHandler> logger) : IRouteKind
{
    public const string CardPath = "/.well-known/agent-card.json";
    public const string LegacyCardPath = "/.well-known/agent.json";

    /// <summary>The protocol version a client speaks (the protocol's service parameter; empty means 0.3).</summary>
    public const string A2aVersionHeader = "A2A-Version";

    public Route.BackendOneofCase Backend => Route.BackendOneofCase.A2A;

    /// <summary>The agent card is public: served before the route's policies.</summary>
    public ValueTask<bool> AnswerBeforePoliciesAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HttpMethods.IsGet(context.Request.Method) && Relative(context, request) is CardPath or LegacyCardPath
            ? new ValueTask<bool>(ServeCardAsync(context, request))
            : ValueTask.FromResult(false);
    }

    public async Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        var rest = A2aRestPaths.Classify(context.Request.Method, Relative(context, request));
        var binding = rest is not null ? A2aVersions.Rest : A2aVersions.JsonRpc;
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        var unauthenticated = refusal.StatusCode == StatusCodes.Status401Unauthorized;
        var code = unauthenticated ? A2aErrorCodes.Unauthenticated
            : refusal.StatusCode == StatusCodes.Status429TooManyRequests ? A2aErrorCodes.RateLimited
            : A2aErrorCodes.Forbidden;
        await A2aErrorWriter.WriteAsync(context, binding, rest?.Version, null, new A2aError(refusal.StatusCode, code, refusal.Message));
        metrics.Record(request.Runtime.Key, string.Empty, binding, unauthenticated ? "unauthenticated" : "forbidden", TimeSpan.Zero, null);
    }

    public async Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = time.GetTimestamp();
        var (snapshot, match, route, scope) = (request.Snapshot, request.Match, request.Route, request.Allowed);
        var routeKey = request.Runtime.Key;
        var prefix = match.MatchedPrefix ?? string.Empty;
        var relative = Relative(context, request);
        var (operation, invalid, requestBinding) = await A2aRequestReader.ReadAsync(context, relative);
        if (operation is null)
        {
            await A2aErrorWriter.WriteAsync(context, requestBinding, null, null, invalid!);
            metrics.Record(routeKey, string.Empty, requestBinding, "invalid", time.GetElapsedTime(started), null);
            return;
        }

        Activity.Current?.SetTag("a2a.method", operation.Method);
        Activity.Current?.SetTag("a2a.binding", operation.Binding);
        var record = GatewayRequestRecord.Of(context);
        if (record is not null)
        {
            record.Operation = operation.Method;
        }

        if (await DenyAsync(scope, operation, snapshot, context.RequestAborted) is { } refused)
        {
            if (record is not null && refused.Code == A2aErrorCodes.Forbidden)
            {
                record.Refusal = "a2a_authorization";
            }

            await A2aErrorWriter.WriteAsync(context, operation.Binding, operation.Version, operation.Id, refused);
            var outcome = refused.Code == A2aErrorCodes.Forbidden ? "forbidden" : "invalid";
            if (refused.Code == A2aErrorCodes.Forbidden)
            {
                LogDenied(logger, routeKey, operation.Method);
                gatewayMetrics.Refused(routeKey, RouteKinds.A2a, "a2a_authorization");
            }

            metrics.Record(routeKey, operation.Method, operation.Binding, outcome, time.GetElapsedTime(started), null);
            RecordCall(route, scope, operation, refused.Code == A2aErrorCodes.Forbidden ? "refused" : "error", refused.StatusCode, refused.Message, time.GetElapsedTime(started));
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
            A2aErrorWriter.WriteAsync(http, operation.Binding, operation.Version, operation.Id, new A2aError(status, A2aErrorCodes.AgentUnavailable, message)))
        {
            // Reads are retried like GETs, whatever the binding's HTTP method; sending a message is not, unless the policy allows it.
            Idempotent = A2aMethods.IsRead(operation.Method),
        };
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
        var ended = result switch
        {
            "ok" => "ok",
            "agent_error" => "error",
            "cancelled" => "cancelled",
            _ => "unavailable",
        };
        RecordCall(route, scope, operation, ended, ended == "ok" ? 0 : context.Response.StatusCode, ended == "ok" ? null : result, time.GetElapsedTime(started));
    }

    /// <summary>The audit record of an A2A operation: its method, the task state the agent answered, how it ended.</summary>
    private void RecordCall(Route route, RequestScope scope, A2aOperation operation, string outcome, int status, string? message, TimeSpan elapsed)
    {
        if (!calls.Reporting)
        {
            return;
        }

        var record = calls.Create(route.Tenant, route.Name, RouteKinds.A2a, operation.Method, scope.Caller.Subject, elapsed);
        if (outcome != "ok")
        {
            CallRecorder.Failed(record, outcome, status, message);
        }

        calls.Record(record);
    }

    /// <summary>Why the route's policies refuse the operation (its authorization rules, a webhook URL), or null.</summary>
    private async Task<A2aError?> DenyAsync(RequestScope scope, A2aOperation operation, GatewaySnapshot snapshot, CancellationToken cancellationToken)
    {
        if (scope.Policies.A2aAuthorizationRules is { } rules)
        {
            var variables = new Dictionary<string, object?>(scope.Variables, StringComparer.Ordinal) { ["a2a"] = operation.Variable() };
            if (!RoutePolicyRuntime.AnyHolds(rules, variables))
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

    private async Task<bool> ServeCardAsync(HttpContext context, RouteRequest request)
    {
        var started = time.GetTimestamp();
        var route = request.Route;
        var prefix = request.Match.MatchedPrefix ?? string.Empty;
        var (card, error) = await cards.GetAsync(route, context.RequestAborted);
        if (card is null)
        {
            LogCardUnavailable(logger, request.Runtime.Key, error!);
            await A2aErrorWriter.WriteAsync(context, A2aVersions.Rest, null, null,
                new A2aError(StatusCodes.Status502BadGateway, A2aErrorCodes.AgentUnavailable, $"The agent's card is not available: {error}."));
            metrics.Record(request.Runtime.Key, "GetAgentCard", A2aVersions.Http, "unreachable", time.GetElapsedTime(started), null);
            return true;
        }

        // The card's shape follows the version the client speaks (A2A-Version, as a header or a query parameter).
        var rewritten = A2aCardRewriter.Rewrite(card.DeepClone().AsObject(), new Uri(route.A2A.Url), GatewayBase(context.Request, prefix), request.Runtime.Policies,
            A2aCardRewriter.ShapeFor(A2aVersions.Named(context.Request)));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.Vary = A2aVersionHeader;
        await context.Response.WriteAsync(rewritten.ToJsonString(JsonSerializerOptions.Web), context.RequestAborted);
        metrics.Record(request.Runtime.Key, "GetAgentCard", A2aVersions.Http, "ok", time.GetElapsedTime(started), null);
        return true;
    }

    /// <summary>The request's path below the route's prefix.</summary>
    private static string Relative(HttpContext context, RouteRequest request)
    {
        var prefix = request.Match.MatchedPrefix ?? string.Empty;
        var path = context.Request.Path.Value ?? string.Empty;
        return path.Length >= prefix.Length ? path[prefix.Length..] : string.Empty;
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
