namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>An exception to the egress block, platform-wide.</summary>
public sealed record EgressAllowRuleResponse(Guid Id, string? Cidr, string? Host, IReadOnlyList<int> Ports, string? Description, string CreatedBy, DateTimeOffset CreatedAt);
