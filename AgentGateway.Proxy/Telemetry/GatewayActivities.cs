using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Telemetry;

/// <summary>
/// The proxy's spans (source <c>AgentGateway.Proxy</c>), recorded only when traces are exported: an MCP request as
/// the gateway serves it, and beneath it one span for each target it goes to, so a fan-out shows as siblings. A
/// client's trace context in <c>params._meta</c> is the served span's parent; the context goes on to MCP targets in
/// <c>params._meta</c> (as MCP's conventions propagate it) besides the <c>traceparent</c> header HTTP
/// instrumentation adds.
/// </summary>
internal static class GatewayActivities
{
    public const string SourceName = "AgentGateway.Proxy";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span <c>{method} {name}</c> (the name when the method has a low-cardinality one) with MCP's attributes, or null
    /// when nobody records. A server span whose request carries a trace context in <c>params._meta</c> (as MCP clients
    /// propagate it) is that context's child, linked to the HTTP request's span; otherwise the HTTP span's child.
    /// </summary>
    private static Activity? StartMcp(ActivityKind kind, string method, string? name, JsonObject request, string? protocolVersion)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parameters = request["params"] as JsonObject;
        var activity = kind == ActivityKind.Server && ParentIn(parameters?["_meta"] as JsonObject) is { } parent
            ? Source.StartActivity(name is null ? method : $"{method} {name}", kind, parent,
                links: Activity.Current is { } http ? [new ActivityLink(http.Context)] : null)
            : Source.StartActivity(name is null ? method : $"{method} {name}", kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mcp.method.name", method);
            activity.SetTag("network.transport", "tcp");
            activity.SetTag("network.protocol.name", "http");
            if (name is not null)
            {
                activity.SetTag(method == "prompts/get" ? "gen_ai.prompt.name" : "gen_ai.tool.name", name);
            }

            if (method == "tools/call")
            {
                activity.SetTag("gen_ai.operation.name", "execute_tool");
            }

            if (request["id"] is JsonValue id)
            {
                activity.SetTag("jsonrpc.request.id", id.GetValueKind() == System.Text.Json.JsonValueKind.String ? id.GetValue<string>() : id.ToJsonString());
            }

            if (method == "resources/read" && parameters?["uri"] is JsonValue uri && uri.TryGetValue<string>(out var resource))
            {
                activity.SetTag("mcp.resource.uri", resource);
            }

            if (protocolVersion is not null)
            {
                activity.SetTag("mcp.protocol.version", protocolVersion);
            }
        }

        return activity;
    }

    /// <summary>The trace context a client put in a request's <c>_meta</c> (<c>traceparent</c>, <c>tracestate</c>), when valid.</summary>
    private static ActivityContext? ParentIn(JsonObject? meta)
    {
        if (meta?["traceparent"] is not JsonValue traceParent || !traceParent.TryGetValue<string>(out var parent))
        {
            return null;
        }

        var state = meta["tracestate"] is JsonValue traceState && traceState.TryGetValue<string>(out var text) ? text : null;
        return ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : null;
    }

    /// <summary>
    /// Runs one MCP request (<paramref name="call"/>, given the span) in a span of <paramref name="kind"/>, and tells
    /// <paramref name="record"/> the answer (null when an exception ended the call), how it failed (the JSON-RPC error
    /// code of an error answer, the kind of an exception, or null) and how long it took.
    /// </summary>
    public static async Task<JsonObject> ObserveMcpAsync<TState>(
        ActivityKind kind, string method, string? name, JsonObject request, string? protocolVersion, TState state,
        Func<TState, Activity?, Task<JsonObject>> call, Action<TState, JsonObject?, string?, TimeSpan> record)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(record);
        using var activity = StartMcp(kind, method, name, request, protocolVersion);
        var started = Stopwatch.GetTimestamp();
        string? error = null;
        JsonObject? reply = null;
        try
        {
            reply = await call(state, activity);
            if (reply["error"] is JsonObject failure)
            {
                error = failure["code"]?.ToJsonString() ?? "error";
                Failed(activity, error, failure["message"] is JsonValue message && message.TryGetValue<string>(out var text) ? text : null);
            }

            return reply;
        }
        catch (Exception exception)
        {
            error = exception.GetType().Name;
            Failed(activity, error);
            throw;
        }
        finally
        {
            record(state, reply, error, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Marks a span failed with <paramref name="error"/> (a JSON-RPC error code or an exception's kind).</summary>
    public static void Failed(Activity? activity, string error, string? description = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", error);
        activity.SetStatus(ActivityStatusCode.Error, description);
    }

    /// <summary>
    /// Puts the current span's context in <paramref name="message"/>'s <c>params._meta</c> (<c>traceparent</c>,
    /// <c>tracestate</c>), replacing the client's: the target's work is a child of the gateway's span. Does nothing
    /// without a current span.
    /// </summary>
    public static void Propagate(JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Activity.Current is not { } activity)
        {
            return;
        }

        if (message["params"] is not JsonObject parameters)
        {
            parameters = [];
            message["params"] = parameters;
        }

        if (parameters["_meta"] is not JsonObject meta)
        {
            meta = [];
            parameters["_meta"] = meta;
        }

        DistributedContextPropagator.Current.Inject(activity, meta, static (carrier, key, value) =>
        {
            if (carrier is JsonObject target)
            {
                target[key] = value;
            }
        });
    }
}
