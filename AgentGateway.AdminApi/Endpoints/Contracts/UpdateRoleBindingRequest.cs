namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record UpdateRoleBindingRequest(string? Description, string? Role, List<BindingSubjectDto>? Subjects, List<string>? Routes);
