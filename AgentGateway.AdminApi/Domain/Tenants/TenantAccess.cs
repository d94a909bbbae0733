using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Tenants;

/// <summary>
/// Resolves a tenant for a caller: a member's stored role (membership by the token's <c>sub</c>, see
/// <see cref="Memberships"/>), or the role the caller's token grants (Keycloak roles and groups), whichever is higher. A tenant the caller has no role in is reported as absent, so a foreign tenant is
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

        var member = await Memberships.Of(db, caller).AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == tenant.Id, cancellationToken);
        if (member is null)
        {
            // An invitation of the caller's name is bound to the caller now, and the caller's from then on — by this
            // request, or by another of the caller's that got there first.
            await Memberships.BindAsync(db, caller, cancellationToken);
            member = await Memberships.Of(db, caller).AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == tenant.Id, cancellationToken);
        }

        return caller.RoleIn(tenant.Name, member?.Role) is { } role ? new TenantGrant(tenant, role) : null;
    }
}
