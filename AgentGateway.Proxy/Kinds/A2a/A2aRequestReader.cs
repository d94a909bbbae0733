using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Reads an A2A request far enough to know its operation: the REST binding by path, the JSON-RPC binding by the
/// body's <c>method</c>. Bodies of POSTs are read whole, up to <see cref="MaxBodyBytes"/>, so they can be inspected
/// and then sent on as they came.
/// </summary>
internal static class A2aRequestReader
{
    /// <summary>The largest request body the gateway reads (4 MiB); a larger one is refused.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <param name="relativePath">The request path below the route's base path ("" or "/...").</param>
    public static async Task<(A2aOperation? Operation, A2aError? Error, string Binding)> ReadAsync(HttpContext context, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var rest = A2aRestPaths.Classify(request.Method, relativePath);
        var binding = rest is not null ? A2aVersions.Rest : HttpMethods.IsPost(request.Method) ? A2aVersions.JsonRpc : A2aVersions.Http;
        byte[]? body = null;
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        {
            body = await RequestBody.ReadAsync(request, MaxBodyBytes, context.RequestAborted);
            if (body is null)
            {
                return (null, new A2aError(StatusCodes.Status413PayloadTooLarge, A2aErrorCodes.InvalidRequest,
                    $"The request body is larger than the gateway accepts ({MaxBodyBytes / (1024 * 1024)} MiB)."), binding);
            }
        }

        if (binding == A2aVersions.Http)
        {
            // Not an A2A operation the gateway knows: sent on as it came, body included.
            return (new A2aOperation { Binding = binding, Method = string.Empty, Body = body }, null, binding);
        }

        // Both bindings carry JSON: a body that is not (broken UTF-8, a lone surrogate, bad syntax) stops here.
        JsonNode? parsed = null;
        if (body is { Length: > 0 })
        {
            parsed = StrictJson.Parse(body, out var parseError);
            if (parseError is not null)
            {
                return (null, new A2aError(StatusCodes.Status400BadRequest, A2aErrorCodes.ParseError, parseError), binding);
            }
        }

        if (rest is { } operation)
        {
            return (Describe(A2aVersions.Rest, operation.Method, operation.Version, null, parsed as JsonObject, operation.TaskId, body), null, binding);
        }

        if (parsed is not JsonObject message || message["jsonrpc"]?.GetValueKind() != JsonValueKind.String || message["jsonrpc"]!.GetValue<string>() != "2.0"
            || JsonString(message, "method") is not { Length: > 0 } method)
        {
            return (null, new A2aError(StatusCodes.Status400BadRequest, A2aErrorCodes.InvalidRequest,
                "The request is not a JSON-RPC 2.0 request: it needs \"jsonrpc\": \"2.0\" and a \"method\"."), binding);
        }

        if (message.ContainsKey("id") && JsonRpc.EchoableId(message) is null && message["id"] is not null)
        {
            return (null, new A2aError(StatusCodes.Status400BadRequest, A2aErrorCodes.InvalidRequest, "The request's id must be a string or a number."), binding);
        }

        var (normalized, version) = A2aMethods.Normalize(method);
        return (Describe(A2aVersions.JsonRpc, normalized, version, message["id"], message["params"] as JsonObject, null, body), null, binding);
    }

    private static A2aOperation Describe(string binding, string method, string version, JsonNode? id, JsonObject? parameters, string? pathTaskId, byte[]? body)
    {
        var message = parameters?["message"] as JsonObject;
        var taskId = pathTaskId
            ?? JsonString(message, "taskId", "task_id")
            ?? JsonString(parameters, "taskId", "task_id")
            ?? (method is A2aMethods.GetTask or A2aMethods.CancelTask or A2aMethods.SubscribeToTask ? JsonString(parameters, "id") : null);
        var skill = JsonString(message?["metadata"], "skillId", "skill_id") ?? JsonString(parameters?["metadata"], "skillId", "skill_id");
        return new A2aOperation
        {
            Binding = binding,
            Method = method,
            Version = version,
            Id = id,
            TaskId = taskId ?? string.Empty,
            ContextId = JsonString(message, "contextId", "context_id") ?? string.Empty,
            Skill = skill ?? string.Empty,
            WebhookUrls = WebhookUrls(method, parameters),
            Body = body,
        };
    }

    /// <summary>
    /// The push-notification URLs a request asks the agent to call: in a message's configuration (v0.3
    /// <c>pushNotificationConfig</c>, v1.0 <c>taskPushNotificationConfig</c>) or in the config a create/set names.
    /// </summary>
    private static List<string> WebhookUrls(string method, JsonObject? parameters)
    {
        var urls = new List<string>();
        if (parameters is null)
        {
            return urls;
        }

        void Add(JsonNode? config)
        {
            if (config is JsonObject value && value["url"] is { } url)
            {
                urls.Add(url.GetValueKind() == JsonValueKind.String ? url.GetValue<string>() : url.ToJsonString());
            }
        }

        if (A2aMethods.IsMessage(method))
        {
            var configuration = parameters["configuration"] as JsonObject;
            Add(configuration?["pushNotificationConfig"] ?? configuration?["push_notification_config"]);
            Add(configuration?["taskPushNotificationConfig"] ?? configuration?["task_push_notification_config"]);
        }
        else if (method == A2aMethods.CreateTaskPushNotificationConfig)
        {
            Add(parameters);
            Add(parameters["pushNotificationConfig"] ?? parameters["push_notification_config"]);
            Add(parameters["config"]);
            Add((parameters["config"] as JsonObject)?["pushNotificationConfig"]);
        }

        return urls;
    }

    private static string? JsonString(JsonNode? node, string name, string? alternative = null)
    {
        if (node is not JsonObject value)
        {
            return null;
        }

        var found = value[name] ?? (alternative is null ? null : value[alternative]);
        return found?.GetValueKind() == JsonValueKind.String ? found.GetValue<string>() : null;
    }
}
