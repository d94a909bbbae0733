namespace AgentGateway.Proxy.Kinds.Mcp;

/// <summary>Method names of the stateless revision that the SDK's constants do not cover (or mark obsolete).</summary>
internal static class McpMethods
{
    public const string ServerDiscover = "server/discover";
    public const string SubscriptionsListen = "subscriptions/listen";
    public const string SubscriptionsAcknowledged = "notifications/subscriptions/acknowledged";
    public const string LoggingSetLevel = "logging/setLevel";
    public const string TasksGet = "tasks/get";
    public const string TasksResult = "tasks/result";
    public const string TasksList = "tasks/list";
    public const string TasksCancel = "tasks/cancel";
    public const string TaskStatusNotification = "notifications/tasks/status";

    /// <summary>The <c>_meta</c> key that names the task a message belongs to.</summary>
    public const string RelatedTaskKey = "io.modelcontextprotocol/related-task";

    /// <summary>The <c>_meta</c> key that names the listen a notification belongs to.</summary>
    public const string SubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";
    public const string ProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
    public const string ClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
    public const string ServerInfoKey = "io.modelcontextprotocol/serverInfo";
}
