namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>What a policy attaches to.</summary>
/// <param name="Kind">'tenant', 'route', 'mcp-server', 'agent' or 'llm-provider' (the last three: backend-auth and backend-tls only).</param>
/// <param name="Name">The route's, MCP server's, agent's or LLM provider's name; for 'tenant', the tenant's own name or nothing.</param>
public sealed record PolicyTargetRef(string? Kind, string? Name);
