using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Authorization;

/// <summary>
/// Resolves a tenant for a caller: a member's stored role, or the role the caller's token grants (Keycloak roles and
/// groups), whichever is higher. A tenant the caller has no role in is reported as absent, so a foreign tenant is
/// indistinguishable from one that does not exist (404, never 403).
/// </summary>
internal sealed class TenantAccess(AdminDbContext db)
{
    public async Task<TenantGrant?> FindAsync(Caller caller, string tenantName, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.SingleOrDefaultAsync(candidate => candidate.Name == tenantName, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        if (caller.IsPlatformAdmin)
        {
            return new TenantGrant(tenant, TenantRole.Owner);
        }

        var member = await db.TenantMembers.AsNoTracking()
            .SingleOrDefaultAsync(candidate => candidate.TenantId == tenant.Id && candidate.Username == caller.Username, cancellationToken);
        return caller.RoleIn(tenant.Name, member?.Role) is { } role ? new TenantGrant(tenant, role) : null;
    }
}
