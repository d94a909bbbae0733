using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Tenants;

/// <summary>
/// Which memberships are the caller's: those bound to the token's <c>sub</c>, and invitations of the caller's name not
/// yet bound to anyone, which the caller's first request binds to its <c>sub</c> for good.
/// </summary>
internal static class Memberships
{
    /// <summary>Binds the invitations of the caller's name to the caller, and keeps the names of its memberships current.</summary>
    public static async Task BindAsync(AdminDbContext db, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Subject is not { Length: > 0 } subject)
        {
            return;
        }

        var rows = await db.TenantMembers
            .Where(member => member.Subject == subject ? member.Username != caller.Username : member.Subject == null && member.Username == caller.Username)
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return;
        }

        // The caller's memberships as they stand now: a concurrent request of the same caller may have bound one of
        // these very invitations since they were read, which makes it the caller's membership, not a second one.
        var bound = await db.TenantMembers.Where(member => member.Subject == subject).Select(member => new { member.Id, member.TenantId }).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            if (row.Subject is null && bound.Any(membership => membership.TenantId == row.TenantId && membership.Id != row.Id))
            {
                // Already a member under this sub: the invitation of the name has nothing left to give.
                db.TenantMembers.Remove(row);
                continue;
            }

            row.Subject = subject;
            row.Username = caller.Username;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request bound them first; what it wrote stands.
            foreach (var row in rows)
            {
                db.Entry(row).State = EntityState.Detached;
            }
        }
    }

    /// <summary>The memberships of the caller: by <c>sub</c> (after <see cref="BindAsync"/>, pending ones of its name are bound).</summary>
    public static IQueryable<TenantMember> Of(AdminDbContext db, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var subject = caller.Subject;
        return db.TenantMembers.Where(member => subject != null && member.Subject == subject);
    }
}
