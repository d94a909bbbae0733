namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Rules">1-50 CEL expressions, e.g. mcp.tool.name.startsWith("notes_") or mcp.method == "tools/list".</param>
public sealed record CreateRoleRequest(string? Name, string? Description, List<string>? Rules);
