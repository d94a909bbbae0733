using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Tools;

/// <summary>Tools the stateless-server scenario (SEP-2575) uses to observe capability checks, stream contents and log gating.</summary>
[McpServerToolType]
internal sealed partial class StatelessDiagnosticTools
{
    [McpServerTool(Name = "test_missing_capability"), Description("Requires the sampling client capability; fails with MissingRequiredClientCapability (-32021) without it.")]
    public static string MissingCapability(RequestContext<CallToolRequestParams> context)
    {
        var capabilities = context.JsonRpcRequest.Context?.ClientCapabilities ?? context.Server.ClientCapabilities;
        if (capabilities?.Sampling is null)
        {
            throw new MissingRequiredClientCapabilityException(
                new ClientCapabilities { Sampling = new() },
                "This tool requires the sampling client capability.");
        }

        return "Success";
    }

    [McpServerTool(Name = "test_streaming_elicitation"), Description("Answers with result frames only; its response stream carries no server-to-client requests.")]
    public static string StreamingElicitation() => "Streaming complete";

    [McpServerTool(Name = "test_logging_tool"), Description("Logs through the client log pipeline, which drops the message unless the request asked for a log level.")]
    public static string LoggingTool(McpServer server)
    {
        // The client logger is the pipeline that honours the per-request log level.
        var logger = server.AsClientLoggerProvider().CreateLogger(FixtureData.LoggerName);
        LogDiagnosticTrace(logger);
        return "Logging evaluated";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Diagnostic trace logging activated")]
    private static partial void LogDiagnosticTrace(ILogger logger);
}
