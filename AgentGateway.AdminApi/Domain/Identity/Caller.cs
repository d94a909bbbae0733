using System.Security.Claims;

namespace AgentGateway.AdminApi.Domain.Identity;

/// <summary>
/// Who is calling, as far as AdminApi's authorization is concerned, with the tenant roles the token itself grants
/// (Keycloak roles and groups, mapped to claims when the token is validated).
/// </summary>
internal sealed record Caller(string Username, string? Email, bool IsPlatformAdmin)
{
    /// <summary>The token's <c>sub</c>: what memberships are keyed by (the username is only shown).</summary>
    public string? Subject { get; init; }

    /// <summary>The tenant roles the token grants, by tenant name (the highest when several).</summary>
    public IReadOnlyDictionary<string, Data.Entities.TenantRole> TokenTenantRoles { get; init; } = new Dictionary<string, Data.Entities.TenantRole>(StringComparer.Ordinal);

    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var username = user.FindFirstValue(IdentityClaims.PreferredUsername) ?? user.FindFirstValue("sub") ?? string.Empty;
        var roles = new Dictionary<string, Data.Entities.TenantRole>(StringComparer.Ordinal);
        foreach (var claim in user.FindAll(IdentityClaims.TenantRole))
        {
            var separator = claim.Value.IndexOf(':', StringComparison.Ordinal);
            if (separator > 0 && Validation.ParseRole(claim.Value[(separator + 1)..]) is { } role)
            {
                var tenant = claim.Value[..separator];
                roles[tenant] = roles.TryGetValue(tenant, out var existing) && existing > role ? existing : role;
            }
        }

        return new Caller(username, user.FindFirstValue("email"), user.IsInRole(IdentityClaims.PlatformAdminRole))
        {
            TokenTenantRoles = roles,
            Subject = user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier),
        };
    }

    /// <summary>The role in <paramref name="tenant"/> that membership (<paramref name="member"/>) and the token together give, or null.</summary>
    public Data.Entities.TenantRole? RoleIn(string tenant, Data.Entities.TenantRole? member) =>
        TokenTenantRoles.TryGetValue(tenant, out var granted)
            ? member is { } stored && stored > granted ? stored : granted
            : member;
}
