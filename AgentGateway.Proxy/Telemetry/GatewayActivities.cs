using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Telemetry;

/// <summary>
/// The proxy's spans (source <c>AgentGateway.Proxy</c>), recorded only when traces are exported: an MCP request as
/// the gateway serves it, and beneath it one span for each target it goes to, so a fan-out shows as siblings. The
/// trace context goes on to MCP targets in <c>params._meta</c> (as MCP's conventions propagate it) besides the
/// <c>traceparent</c> header HTTP instrumentation adds.
/// </summary>
internal static class GatewayActivities
{
    public const string SourceName = "AgentGateway.Proxy";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span <c>{method} {name}</c> (the name when the method has a low-cardinality one), or null when nobody records.</summary>
    public static Activity? StartMcp(ActivityKind kind, string method, string? name)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(name is null ? method : $"{method} {name}", kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("mcp.method.name", method);
            if (name is not null)
            {
                activity.SetTag(method == "prompts/get" ? "gen_ai.prompt.name" : "gen_ai.tool.name", name);
            }

            if (method == "tools/call")
            {
                activity.SetTag("gen_ai.operation.name", "execute_tool");
            }
        }

        return activity;
    }

    /// <summary>
    /// Runs one MCP request (<paramref name="call"/>, given the span) in a span of <paramref name="kind"/>, and tells
    /// <paramref name="record"/> the answer (null when an exception ended the call), how it failed (the JSON-RPC error
    /// code of an error answer, the kind of an exception, or null) and how long it took.
    /// </summary>
    public static async Task<JsonObject> ObserveMcpAsync<TState>(
        ActivityKind kind, string method, string? name, TState state, Func<TState, Activity?, Task<JsonObject>> call,
        Action<TState, JsonObject?, string?, TimeSpan> record)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(record);
        using var activity = StartMcp(kind, method, name);
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
