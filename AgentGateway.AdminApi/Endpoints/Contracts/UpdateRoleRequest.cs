namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record UpdateRoleRequest(string? Description, List<string>? Rules);
