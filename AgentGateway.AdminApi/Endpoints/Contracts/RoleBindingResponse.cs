namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record RoleBindingResponse(
    string Name,
    string? Description,
    string Role,
    IReadOnlyList<BindingSubjectDto> Subjects,
    IReadOnlyList<string> Routes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version) : IVersionedResponse;
