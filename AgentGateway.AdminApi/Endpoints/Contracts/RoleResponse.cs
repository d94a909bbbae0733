namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Rules">CEL expressions over mcp.*, request.*, jwt.*, apiKey.* and source.*; any one allows an operation.</param>
/// <param name="UsedBy">The role bindings that give the role (it cannot be deleted while any does).</param>
public sealed record RoleResponse(
    string Name, string? Description, IReadOnlyList<string> Rules, IReadOnlyList<string> UsedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version) : IVersionedResponse;
