using AgentGateway.AdminApi.Data.Entities;

namespace AgentGateway.AdminApi.Endpoints.Filters;

/// <summary>
/// Endpoint metadata: the least tenant role the endpoint takes, checked by <see cref="TenantFilter"/> once the tenant is
/// resolved (a 403 saying the caller's role does not allow them to <paramref name="Action"/>).
/// </summary>
/// <param name="Action">What the caller may not do, worded to follow "Your role does not allow you to".</param>
internal sealed record TenantRoleRequirement(TenantRole Role, string Action);
