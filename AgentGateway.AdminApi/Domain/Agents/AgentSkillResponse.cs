namespace AgentGateway.AdminApi.Domain.Agents;

public sealed record AgentSkillResponse(string Id, string Name, string? Description, IReadOnlyList<string> Tags, IReadOnlyList<string> Examples);
