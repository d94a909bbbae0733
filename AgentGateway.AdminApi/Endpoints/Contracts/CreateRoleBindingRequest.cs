namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Subjects">1-20 subjects; the binding applies when any matches.</param>
/// <param name="Routes">The routes the binding covers; empty or left out: every route of the tenant.</param>
public sealed record CreateRoleBindingRequest(string? Name, string? Description, string? Role, List<BindingSubjectDto>? Subjects, List<string>? Routes);
