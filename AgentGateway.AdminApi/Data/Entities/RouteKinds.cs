namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>What a route serves.</summary>
internal static class RouteKinds
{
    /// <summary>Federates MCP servers (the default).</summary>
    public const string Mcp = "mcp";

    /// <summary>Forwards plain HTTP to weighted destinations.</summary>
    public const string Http = "http";

    /// <summary>Exposes an A2A agent of the tenant's catalog.</summary>
    public const string A2a = "a2a";

    /// <summary>One OpenAI- and Anthropic-compatible endpoint in front of the tenant's LLM providers.</summary>
    public const string Llm = "llm";
}
