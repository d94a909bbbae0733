namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record SessionKeyResponse(string Id, bool Primary, DateTimeOffset CreatedAt);
