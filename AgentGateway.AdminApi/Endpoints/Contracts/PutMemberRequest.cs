namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record PutMemberRequest(string? Role);
