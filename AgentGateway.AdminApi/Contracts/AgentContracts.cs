namespace AgentGateway.AdminApi.Contracts;

/// <summary>An A2A agent of the tenant's catalog, with what its agent card says.</summary>
/// <param name="Url">The agent's base URL.</param>
/// <param name="CardUrl">Where the card is read when not at {url}/.well-known/agent-card.json.</param>
/// <param name="Card">What the card said when last fetched; null when it has never been fetched successfully.</param>
/// <param name="CardFetchedAt">When the card was last fetched successfully.</param>
/// <param name="CardError">Why the last refresh failed; null after a successful fetch.</param>
/// <param name="Routes">The A2A routes that expose the agent (an agent in use cannot be deleted).</param>
public sealed record AgentResponse(
    string Name,
    string Url,
    string? CardUrl,
    string? Description,
    AgentCardResponse? Card,
    DateTimeOffset? CardFetchedAt,
    string? CardError,
    IReadOnlyList<string> Routes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

/// <summary>The parts of an A2A agent card the catalog keeps.</summary>
/// <param name="Name">The agent's own name (from the card).</param>
/// <param name="Version">The agent's version.</param>
/// <param name="ProtocolVersion">The A2A protocol version the card declares.</param>
public sealed record AgentCardResponse(
    string Name,
    string? Description,
    string? Version,
    string? ProtocolVersion,
    IReadOnlyList<AgentSkillResponse> Skills,
    AgentCapabilitiesResponse Capabilities);

public sealed record AgentSkillResponse(string Id, string Name, string? Description, IReadOnlyList<string> Tags, IReadOnlyList<string> Examples);

public sealed record AgentCapabilitiesResponse(bool Streaming, bool PushNotifications);

/// <summary>
/// Registers an agent. Its card is fetched at once (from cardUrl, or {url}/.well-known/agent-card.json, then
/// {url}/.well-known/agent.json); a card that cannot be fetched or read refuses the request (400 on 'url' or 'cardUrl').
/// Both URLs are checked against the egress policy.
/// </summary>
/// <param name="Name">The agent's name in the tenant: letters, digits and '-'.</param>
public sealed record CreateAgentRequest(string? Name, string? Url, string? CardUrl = null, string? Description = null);

/// <summary>Changes an agent (honours If-Match); the card is fetched again, as on create.</summary>
public sealed record UpdateAgentRequest(string? Url, string? CardUrl = null, string? Description = null);
