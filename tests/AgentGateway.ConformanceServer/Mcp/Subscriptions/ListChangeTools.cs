using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Subscriptions;

/// <summary>Tools that announce a change of the tool or prompt list to every <c>subscriptions/listen</c> stream.</summary>
[McpServerToolType]
internal sealed class ListChangeTools(ListChangedBroadcaster broadcaster)
{
    [McpServerTool(Name = "test_trigger_tool_change"), Description("Announces notifications/tools/list_changed to open subscription streams.")]
    public string TriggerToolChange()
    {
        broadcaster.Publish(NotificationMethods.ToolListChangedNotification);
        return "Mutation triggered";
    }

    [McpServerTool(Name = "test_trigger_prompt_change"), Description("Announces notifications/prompts/list_changed to open subscription streams.")]
    public string TriggerPromptChange()
    {
        broadcaster.Publish(NotificationMethods.PromptListChangedNotification);
        return "Mutation triggered";
    }
}
