using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <summary>The routes API keys are scoped to.</summary>
internal static class ApiKeyScopes
{
    /// <summary>The names of the unrevoked keys scoped to a route (which then cannot be deleted).</summary>
    public static Task<List<string>> ScopedToAsync(AdminDbContext db, Guid tenantId, string route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ApiKeys.Where(key => key.TenantId == tenantId && key.RevokedAt == null && key.Routes.Contains(route))
            .OrderBy(key => key.Name).Select(key => key.Name).ToListAsync(cancellationToken);
    }
}
