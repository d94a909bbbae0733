namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Changes an agent (honours If-Match); the card is fetched again, as on create.</summary>
public sealed record UpdateAgentRequest(string? Url, string? CardUrl = null, string? Description = null);
