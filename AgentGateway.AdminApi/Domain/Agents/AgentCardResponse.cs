namespace AgentGateway.AdminApi.Domain.Agents;

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
