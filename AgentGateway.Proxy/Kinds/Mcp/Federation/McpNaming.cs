using System.Text.Json.Nodes;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Protocols;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>Rewrites what a target sends so the client sees the route's federated names, URIs and ids.</summary>
internal static class McpNaming
{
    /// <summary>A message from <paramref name="target"/> made fit for the client (a copy when anything changes).</summary>
    public static JsonObject ToClient(McpSession session, string target, JsonObject message)
    {
        if (JsonRpc.IsRequest(message))
        {
            // A server-to-client request: the client's answer must find its way back to this target.
            var request = message.DeepClone().AsObject();
            request["id"] = McpRelayIds.ForRequest(target, message["id"]);
            return request;
        }

        var method = JsonRpc.Method(message);
        if (method == NotificationMethods.ResourceUpdatedNotification && session.Prefixed
            && JsonRpc.GetString(message["params"], "uri") is string uri)
        {
            var updated = message.DeepClone().AsObject();
            updated["params"]!["uri"] = FederatedNames.ComposeUri(target, uri, prefixed: true);
            return updated;
        }

        if (method == McpMethods.TaskStatusNotification && session.Prefixed)
        {
            var status = message.DeepClone().AsObject();
            McpTasks.ComposeIds(status, target, prefixed: true);
            return status;
        }

        if (method == NotificationMethods.CancelledNotification && message["params"]?["requestId"] is JsonNode requestId)
        {
            // The target cancels a request it sent the client: name it by the id the client knows.
            var cancelled = message.DeepClone().AsObject();
            cancelled["params"]!["requestId"] = McpRelayIds.ForRequest(target, requestId);
            return cancelled;
        }

        return message;
    }
}
