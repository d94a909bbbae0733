namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>What a policy attaches to.</summary>
public static class PolicyTargets
{
    public const string Tenant = "tenant";
    public const string Route = "route";

    /// <summary>An MCP server of the tenant's catalog (backend kinds only): its targets on MCP routes.</summary>
    public const string McpServer = "mcp-server";

    /// <summary>An agent of the tenant's catalog (backend kinds only): the A2A routes that expose it.</summary>
    public const string Agent = "agent";

    /// <summary>An LLM provider of the tenant's catalog (backend kinds only): its use by LLM routes.</summary>
    public const string LlmProvider = "llm-provider";

    /// <summary>The route kind a backend target is used by, or null for the tenant and a route.</summary>
    public static string? RouteKindOf(string target) => target switch
    {
        McpServer => RouteKinds.Mcp,
        Agent => RouteKinds.A2a,
        LlmProvider => RouteKinds.Llm,
        _ => null,
    };
}
