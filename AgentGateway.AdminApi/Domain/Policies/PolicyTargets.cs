namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>What a policy attaches to.</summary>
internal static class PolicyTargets
{
    public const string Tenant = "tenant";
    public const string Route = "route";
    public const string McpServer = "mcp-server";

    /// <summary>An agent of the tenant's catalog (backend kinds only).</summary>
    public const string Agent = "agent";

    /// <summary>An LLM provider of the tenant's catalog (backend kinds only).</summary>
    public const string LlmProvider = "llm-provider";
}
