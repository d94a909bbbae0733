namespace AgentGateway.AdminApi.Contracts;

/// <param name="Rules">CEL expressions over mcp.*, request.*, jwt.*, apiKey.* and source.*; any one allows an operation.</param>
/// <param name="UsedBy">The role bindings that give the role (it cannot be deleted while any does).</param>
public sealed record RoleResponse(
    string Name, string? Description, IReadOnlyList<string> Rules, IReadOnlyList<string> UsedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

/// <param name="Rules">1-50 CEL expressions, e.g. mcp.tool.name.startsWith("notes_") or mcp.method == "tools/list".</param>
public sealed record CreateRoleRequest(string? Name, string? Description, List<string>? Rules);

public sealed record UpdateRoleRequest(string? Description, List<string>? Rules);

/// <summary>Who a role binding is for.</summary>
/// <param name="Kind">
/// 'user' (jwt.sub or jwt.preferred_username equals value), 'group' (jwt.groups contains value), 'role' (Keycloak realm
/// role: jwt.realm_access.roles contains value), 'claim' (the claim equals value, or contains it when it is a list),
/// 'api-key' (apiKey.name equals value) or 'expression' (value is a CEL expression).
/// </param>
/// <param name="Claim">For 'claim': the claim's name, or a dotted path such as 'org.department'.</param>
public sealed record BindingSubjectDto(string? Kind, string? Value, string? Claim = null);

public sealed record RoleBindingResponse(
    string Name,
    string? Description,
    string Role,
    IReadOnlyList<BindingSubjectDto> Subjects,
    IReadOnlyList<string> Routes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

/// <param name="Subjects">1-20 subjects; the binding applies when any matches.</param>
/// <param name="Routes">The routes the binding covers; empty or left out: every route of the tenant.</param>
public sealed record CreateRoleBindingRequest(string? Name, string? Description, string? Role, List<BindingSubjectDto>? Subjects, List<string>? Routes);

public sealed record UpdateRoleBindingRequest(string? Description, string? Role, List<BindingSubjectDto>? Subjects, List<string>? Routes);
