namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Starts the signed-in user's authorization of a tenant's backend-auth policy (userOauth).</summary>
public sealed record AuthorizeConnectionRequest(string? Tenant, string? Policy);
