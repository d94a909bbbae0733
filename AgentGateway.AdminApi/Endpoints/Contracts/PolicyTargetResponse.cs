namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record PolicyTargetResponse(string Kind, string Name);
