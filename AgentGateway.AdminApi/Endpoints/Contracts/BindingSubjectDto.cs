namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Who a role binding is for.</summary>
/// <param name="Kind">
/// 'user' (jwt.sub or jwt.preferred_username equals value), 'group' (jwt.groups contains value), 'role' (Keycloak realm
/// role: jwt.realm_access.roles contains value), 'claim' (the claim equals value, or contains it when it is a list),
/// 'api-key' (apiKey.name equals value) or 'expression' (value is a CEL expression).
/// </param>
/// <param name="Claim">For 'claim': the claim's name, or a dotted path such as 'org.department'.</param>
public sealed record BindingSubjectDto(string? Kind, string? Value, string? Claim = null);
