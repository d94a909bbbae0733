using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>Tools that exercise the Streamable HTTP transport itself.</summary>
[McpServerToolType]
internal sealed class StreamTools(TimeProvider timeProvider)
{
    /// <summary>How long a client should wait before it reconnects to a stream the server closed.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Closes the call's SSE stream before answering (SEP-1699): the result is stored in the event stream store and
    /// reaches the client only after it reconnects with <c>Last-Event-ID</c>.
    /// </summary>
    [McpServerTool(Name = "test_reconnection"), Description("Tests SSE stream disconnection and client reconnection (SEP-1699): the server closes the stream and sends the result after the client reconnects.")]
    public async Task<string> Reconnection(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        await context.EnablePollingAsync(RetryInterval, cancellationToken);
        await Task.Delay(TimeSpan.FromMilliseconds(100), timeProvider, cancellationToken);
        return "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.";
    }

    [McpServerTool(Name = "test_header_tool", ReadOnly = true, Idempotent = true), Description("Echoes a parameter that the client also sends as the Mcp-Param-Region header (SEP-2243).")]
    public static string HeaderTool(
        [McpHeader("Region"), Description("The deployment region")] string region,
        [Description("The query to execute")] string query) =>
        $"Executed in region {region}: {query}";
}
