namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// One subject of a role binding: <c>user</c> (<c>jwt.sub</c> or <c>jwt.preferred_username</c>), <c>group</c> (in
/// <c>jwt.groups</c>), <c>role</c> (in <c>jwt.realm_access.roles</c>), <c>claim</c> (a claim equal to, or a list
/// claim containing, the value), <c>api-key</c> (<c>apiKey.name</c>) or <c>expression</c> (CEL).
/// </summary>
internal sealed record BindingSubject(string Kind, string Value, string? Claim = null);
