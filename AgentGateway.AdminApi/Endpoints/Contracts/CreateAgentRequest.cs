namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>
/// Registers an agent. Its card is fetched at once (from cardUrl, or {url}/.well-known/agent-card.json, then
/// {url}/.well-known/agent.json); a card that cannot be fetched or read refuses the request (400 on 'url' or 'cardUrl').
/// Both URLs are checked against the egress policy.
/// </summary>
/// <param name="Name">The agent's name in the tenant: letters, digits and '-'.</param>
public sealed record CreateAgentRequest(string? Name, string? Url, string? CardUrl = null, string? Description = null);
