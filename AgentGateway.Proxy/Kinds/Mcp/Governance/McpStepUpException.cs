namespace AgentGateway.Proxy.Kinds.Mcp.Governance;

/// <summary>The operation needs scopes the caller's token lacks: answered with 403 <c>insufficient_scope</c> naming them.</summary>
internal sealed class McpStepUpException(IReadOnlyList<string> scopes, string message) : Exception(message)
{
    public IReadOnlyList<string> Scopes { get; } = scopes;
}
