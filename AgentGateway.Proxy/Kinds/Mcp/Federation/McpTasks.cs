using System.Text.Json.Nodes;
using AgentGateway.Contracts.Mcp;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>
/// Tasks (MCP 2025-11-25) through federation: where the route prefixes, a task's id carries its target as names do
/// (<c>{target}_{taskId}</c>), in every message that names it — the task a task-augmented call created, a task's
/// status and the list of tasks, the related-task mark of a task's result, and status notifications — so that
/// tasks/get, tasks/result and tasks/cancel reach the target that keeps the task. Where it does not, the one target
/// that keeps tasks answers them.
/// </summary>
internal static class McpTasks
{
    /// <summary>The target of a task id the client names, and the id the target knows; no target when none keeps it.</summary>
    public static (McpTarget? Target, string UpstreamId) Resolve(McpSession session, string taskId)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Prefixed)
        {
            return FederatedNames.TrySplit(taskId, out var name, out var upstream)
                ? (session.Backend.Targets.FirstOrDefault(target => target.Name == name), upstream)
                : (null, taskId);
        }

        var keepers = session.Backend.Targets
            .Where(target => (McpUpstreams.KnownFeatures(session, target) ?? ServerFeatures.Tasks).HasFlag(ServerFeatures.Tasks)).ToList();
        return (keepers.Count == 1 ? keepers[0] : null, taskId);
    }

    /// <summary>Names the tasks in <paramref name="message"/> (from <paramref name="target"/>) as the client knows them.</summary>
    public static void ComposeIds(JsonObject message, string target, bool prefixed)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!prefixed)
        {
            return;
        }

        if (message["result"] is JsonObject result)
        {
            Compose(result, target);
            Compose(result["task"] as JsonObject, target);
            Compose(result["_meta"]?[McpMethods.RelatedTaskKey] as JsonObject, target);
            if (result["tasks"] is JsonArray tasks)
            {
                foreach (var task in tasks.OfType<JsonObject>())
                {
                    Compose(task, target);
                }
            }
        }

        if (JsonRpc.Method(message) == McpMethods.TaskStatusNotification)
        {
            Compose(message["params"] as JsonObject, target);
        }
    }

    private static void Compose(JsonObject? holder, string target)
    {
        if (holder?["taskId"] is JsonValue value && value.TryGetValue<string>(out var id))
        {
            holder["taskId"] = FederatedNames.Compose(target, id, prefixed: true);
        }
    }
}
