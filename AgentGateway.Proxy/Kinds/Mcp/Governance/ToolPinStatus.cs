namespace AgentGateway.Proxy.Kinds.Mcp.Governance;

/// <summary>How a tool's definition stands against the route's pins.</summary>
internal enum ToolPinStatus
{
    /// <summary>It matches the approved pin, or was trusted on first sight.</summary>
    Trusted,

    /// <summary>It differs from the approved (or first seen) definition: changed upstream, awaiting approval.</summary>
    Changed,

    /// <summary>It was never approved and carries hidden-instruction patterns.</summary>
    Suspicious,
}
