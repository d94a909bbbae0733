using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record PolicyResponse(
    string Name,
    string Kind,
    string? Description,
    PolicyTargetResponse TargetRef,
    JsonObject Spec,
    IReadOnlyList<string> SecretRefs,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version) : IVersionedResponse;
