using System.Collections.Frozen;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// The A2A methods by their v1.0 names, which the gateway uses as the normalized name of an operation whatever the
/// binding or protocol version it arrived in (<c>a2a.method</c> in authorization rules, metrics and traces).
/// </summary>
internal static class A2aMethods
{
    public const string SendMessage = "SendMessage";
    public const string SendStreamingMessage = "SendStreamingMessage";
    public const string GetTask = "GetTask";
    public const string ListTasks = "ListTasks";
    public const string CancelTask = "CancelTask";
    public const string SubscribeToTask = "SubscribeToTask";
    public const string CreateTaskPushNotificationConfig = "CreateTaskPushNotificationConfig";
    public const string GetTaskPushNotificationConfig = "GetTaskPushNotificationConfig";
    public const string ListTaskPushNotificationConfigs = "ListTaskPushNotificationConfigs";
    public const string DeleteTaskPushNotificationConfig = "DeleteTaskPushNotificationConfig";
    public const string GetExtendedAgentCard = "GetExtendedAgentCard";

    /// <summary>The v0.3 JSON-RPC method names and the v1.0 names they stand for.</summary>
    private static readonly FrozenDictionary<string, string> s_v03 = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["message/send"] = SendMessage,
        ["message/stream"] = SendStreamingMessage,
        ["tasks/get"] = GetTask,
        ["tasks/list"] = ListTasks,
        ["tasks/cancel"] = CancelTask,
        ["tasks/resubscribe"] = SubscribeToTask,
        ["tasks/pushNotificationConfig/set"] = CreateTaskPushNotificationConfig,
        ["tasks/pushNotificationConfig/get"] = GetTaskPushNotificationConfig,
        ["tasks/pushNotificationConfig/list"] = ListTaskPushNotificationConfigs,
        ["tasks/pushNotificationConfig/delete"] = DeleteTaskPushNotificationConfig,
        ["agent/getAuthenticatedExtendedCard"] = GetExtendedAgentCard,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_v10 = new[]
    {
        SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask, CreateTaskPushNotificationConfig,
        GetTaskPushNotificationConfig, ListTaskPushNotificationConfigs, DeleteTaskPushNotificationConfig, GetExtendedAgentCard,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The normalized name of a JSON-RPC method and the protocol version its name belongs to; a method neither version
    /// knows keeps its own name (the agent answers it) with an empty version.
    /// </summary>
    public static (string Method, string Version) Normalize(string jsonRpcMethod)
    {
        if (s_v03.TryGetValue(jsonRpcMethod, out var normalized))
        {
            return (normalized, A2aVersions.V03);
        }

        return s_v10.Contains(jsonRpcMethod) ? (jsonRpcMethod, A2aVersions.V10) : (jsonRpcMethod, string.Empty);
    }

    /// <summary>Whether <paramref name="method"/> is a normalized name of an operation either version knows.</summary>
    public static bool IsKnown(string method) => s_v10.Contains(method);

    /// <summary>Whether the method only reads (a task, a list, a push configuration, the extended card): safe to send again.</summary>
    public static bool IsRead(string method) =>
        method is GetTask or ListTasks or GetTaskPushNotificationConfig or ListTaskPushNotificationConfigs or GetExtendedAgentCard;

    /// <summary>Whether the method answers with a stream of server-sent events.</summary>
    public static bool IsStreaming(string method) => method is SendStreamingMessage or SubscribeToTask;

    /// <summary>Whether the method carries a message (and may carry a push-notification config with it).</summary>
    public static bool IsMessage(string method) => method is SendMessage or SendStreamingMessage;
}

/// <summary>The protocol versions and bindings the gateway tells apart.</summary>
internal static class A2aVersions
{
    public const string V03 = "0.3";
    public const string V10 = "1.0";

    public const string JsonRpc = "jsonrpc";
    public const string Rest = "rest";

    /// <summary>A request that is neither (a GET of something else below the route).</summary>
    public const string Http = "http";

    /// <summary>The version the client names in <c>A2A-Version</c>, as a header or a query parameter; empty when it names none.</summary>
    public static string Named(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers[A2aRouteHandler.A2aVersionHeader].ToString() is { Length: > 0 } header ? header : request.Query[A2aRouteHandler.A2aVersionHeader].ToString();
    }
}
