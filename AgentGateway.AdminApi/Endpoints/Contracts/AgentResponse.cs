using AgentGateway.AdminApi.Domain.Agents;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

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
    string Version) : IVersionedResponse;
