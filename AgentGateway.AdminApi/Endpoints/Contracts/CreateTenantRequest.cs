namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record CreateTenantRequest(string? Name, string? DisplayName);
