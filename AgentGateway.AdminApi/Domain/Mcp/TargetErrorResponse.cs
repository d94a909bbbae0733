namespace AgentGateway.AdminApi.Domain.Mcp;

public sealed record TargetErrorResponse(string Target, string Message);
