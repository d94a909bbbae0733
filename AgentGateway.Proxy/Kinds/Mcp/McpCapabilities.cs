using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;

namespace AgentGateway.Proxy.Kinds.Mcp;

/// <summary>The server capabilities the gateway announces for a route: what its targets offer together.</summary>
internal static class McpCapabilities
{
    public static JsonObject From(ServerFeatures features)
    {
        // The gateway announces list changes itself (targets change with the config), so listChanged is always on.
        var capabilities = new JsonObject { ["tools"] = new JsonObject { ["listChanged"] = true } };
        if (features.HasFlag(ServerFeatures.Prompts))
        {
            capabilities["prompts"] = new JsonObject { ["listChanged"] = true };
        }

        if (features.HasFlag(ServerFeatures.Resources))
        {
            capabilities["resources"] = new JsonObject
            {
                ["listChanged"] = true,
                ["subscribe"] = features.HasFlag(ServerFeatures.ResourceSubscriptions),
            };
        }

        if (features.HasFlag(ServerFeatures.Completions))
        {
            capabilities["completions"] = new JsonObject();
        }

        if (features.HasFlag(ServerFeatures.Logging))
        {
            capabilities["logging"] = new JsonObject();
        }

        if (features.HasFlag(ServerFeatures.Tasks))
        {
            // What any target offers of tasks, the gateway offers: it routes each task to the target that keeps it.
            var tasks = new JsonObject();
            if (features.HasFlag(ServerFeatures.TaskList))
            {
                tasks["list"] = new JsonObject();
            }

            if (features.HasFlag(ServerFeatures.TaskCancel))
            {
                tasks["cancel"] = new JsonObject();
            }

            if (features.HasFlag(ServerFeatures.TaskToolCalls))
            {
                tasks["requests"] = new JsonObject { ["tools"] = new JsonObject { ["call"] = new JsonObject() } };
            }

            capabilities["tasks"] = tasks;
        }

        return capabilities;
    }

    /// <summary>The gateway's <c>serverInfo</c>.</summary>
    public static JsonObject ServerInfo() => new()
    {
        ["name"] = "agentgateway",
        ["title"] = "AgentGateway",
        ["version"] = typeof(McpCapabilities).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
    };
}
