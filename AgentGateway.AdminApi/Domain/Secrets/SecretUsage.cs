using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Secrets;

/// <summary>Which policies reference which secrets.</summary>
internal static class SecretUsage
{
    /// <summary>The names of the policies referencing each secret of the tenant.</summary>
    public static async Task<Dictionary<string, List<string>>> ByTenantAsync(AdminDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var policies = await db.Policies.AsNoTracking().Where(policy => policy.TenantId == tenantId && policy.SecretRefs.Count > 0)
            .OrderBy(policy => policy.Name).Select(policy => new { policy.Name, policy.SecretRefs }).ToListAsync(cancellationToken);
        var usage = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            foreach (var secret in policy.SecretRefs.Distinct(StringComparer.Ordinal))
            {
                (usage.TryGetValue(secret, out var names) ? names : usage[secret] = []).Add(policy.Name);
            }
        }

        return usage;
    }

    /// <summary>The names of the policies referencing one secret.</summary>
    public static Task<List<string>> OfAsync(AdminDbContext db, Guid tenantId, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Policies.AsNoTracking().Where(policy => policy.TenantId == tenantId && policy.SecretRefs.Contains(secret))
            .OrderBy(policy => policy.Name).Select(policy => policy.Name).ToListAsync(cancellationToken);
    }
}
