using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// What of a tenant resolves into its routes' policies: its policies, the API keys that are usable (neither
/// revoked nor expired), and its role bindings with their roles.
/// </summary>
internal sealed record TenantSecurity(TenantPolicySet Policies, IReadOnlyList<ApiKey> ApiKeys, IReadOnlyList<RoleBinding> RoleBindings)
{
    public static TenantSecurity Empty { get; } = new(TenantPolicySet.Empty, [], []);

    /// <summary>Builds it from a tenant's rows (loaded by the caller, e.g. for every tenant at once); bindings come with their roles.</summary>
    public static TenantSecurity From(IEnumerable<Policy> policies, IEnumerable<ApiKey> apiKeys, IEnumerable<RoleBinding> roleBindings, DateTimeOffset now) => new(
        new TenantPolicySet(policies),
        [.. apiKeys.Where(key => key.RevokedAt is null && !(key.ExpiresAt <= now)).OrderBy(key => key.Name, StringComparer.Ordinal)],
        [.. roleBindings.Where(binding => binding.Role is not null).OrderBy(binding => binding.Name, StringComparer.Ordinal)]);

    public static async Task<TenantSecurity> LoadAsync(AdminDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var policies = await db.Policies.AsNoTracking().Where(policy => policy.TenantId == tenantId).ToListAsync(cancellationToken);
        var apiKeys = await db.ApiKeys.AsNoTracking().Where(key => key.TenantId == tenantId && key.RevokedAt == null).ToListAsync(cancellationToken);
        var roleBindings = await db.RoleBindings.AsNoTracking().Include(binding => binding.Role).Where(binding => binding.TenantId == tenantId).ToListAsync(cancellationToken);
        return From(policies, apiKeys, roleBindings, now);
    }
}
