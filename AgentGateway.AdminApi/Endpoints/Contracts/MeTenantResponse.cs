namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record MeTenantResponse(string Name, string DisplayName, string Role);
