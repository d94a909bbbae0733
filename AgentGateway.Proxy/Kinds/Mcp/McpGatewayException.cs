using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Mcp;

/// <summary>A request the gateway answers with a JSON-RPC error.</summary>
internal sealed class McpGatewayException(int code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int Code { get; } = code;

    /// <summary>The error's <c>data</c>, if any.</summary>
    public new JsonNode? Data { get; init; }
}
