using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Policies;

/// <summary>What of a tenant resolves into its routes' policies: its policies.</summary>
internal sealed record TenantSecurity(TenantPolicySet Policies)
{
    public static TenantSecurity Empty { get; } = new(TenantPolicySet.Empty);

    /// <summary>Builds it from a tenant's rows (loaded by the caller, e.g. for every tenant at once).</summary>
    public static TenantSecurity From(IEnumerable<Policy> policies) => new(new TenantPolicySet(policies));

    public static async Task<TenantSecurity> LoadAsync(AdminDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var policies = await db.Policies.AsNoTracking().Where(policy => policy.TenantId == tenantId).ToListAsync(cancellationToken);
        return From(policies);
    }
}
