namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A tenant secret as the API shows it: everything but the value, which is never returned.</summary>
/// <param name="UsedBy">The policies that reference the secret (it cannot be deleted while any does).</param>
public sealed record SecretResponse(
    string Name,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version,
    IReadOnlyList<string> UsedBy) : IVersionedResponse;
