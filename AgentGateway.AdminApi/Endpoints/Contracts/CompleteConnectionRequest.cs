namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>What the authorization server sent the user's browser back with.</summary>
public sealed record CompleteConnectionRequest(string? Code, string? State);
