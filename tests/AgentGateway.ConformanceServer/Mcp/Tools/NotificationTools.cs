using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>Tools that send log and progress notifications while they run.</summary>
[McpServerToolType]
internal sealed class NotificationTools(TimeProvider timeProvider)
{
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(50);

    [McpServerTool(Name = "test_tool_with_logging"), Description("Tests tool that emits log messages during execution")]
    public async Task<string> ToolWithLogging(McpServer server, CancellationToken cancellationToken)
    {
        await LogAsync(server, "Tool execution started", cancellationToken);
        await Task.Delay(s_step, timeProvider, cancellationToken);
        await LogAsync(server, "Tool processing data", cancellationToken);
        await Task.Delay(s_step, timeProvider, cancellationToken);
        await LogAsync(server, "Tool execution completed", cancellationToken);
        return "Tool with logging executed successfully";
    }

    [McpServerTool(Name = "test_tool_with_progress"), Description("Tests tool that reports progress notifications")]
    public async Task<string> ToolWithProgress(McpServer server, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var progressToken = context.Params?.ProgressToken;
        for (var progress = 0; progress <= 100; progress += 50)
        {
            if (progress > 0)
            {
                await Task.Delay(s_step, timeProvider, cancellationToken);
            }

            if (progressToken is { } token)
            {
                await server.NotifyProgressAsync(token, new ProgressNotificationValue
                {
                    Progress = progress,
                    Total = 100,
                    Message = string.Create(CultureInfo.InvariantCulture, $"Completed step {progress} of 100"),
                }, cancellationToken: cancellationToken);
            }
        }

        return progressToken?.ToString() ?? "No progress token provided";
    }

    private static Task LogAsync(McpServer server, string message, CancellationToken cancellationToken) =>
        server.SendNotificationAsync(NotificationMethods.LoggingMessageNotification, new LoggingMessageNotificationParams
        {
            Level = LoggingLevel.Info,
            Logger = FixtureData.LoggerName,
            Data = JsonSerializer.SerializeToElement(message, McpJsonUtilities.DefaultOptions),
        }, cancellationToken: cancellationToken);
}
