namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Value">The secret itself (at most 65536 characters); stored encrypted and never returned.</param>
public sealed record PutSecretRequest(string? Value, string? Description);
