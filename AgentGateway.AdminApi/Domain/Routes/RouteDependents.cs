using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>What else holds on to a route by its name, so that it cannot be deleted: API keys and role bindings scoped to it.</summary>
internal static class RouteDependents
{
    /// <summary>The names of the unrevoked API keys scoped to the route.</summary>
    public static Task<List<string>> ApiKeysAsync(AdminDbContext db, Guid tenantId, string route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.ApiKeys.Where(key => key.TenantId == tenantId && key.RevokedAt == null && key.Routes.Contains(route))
            .OrderBy(key => key.Name).Select(key => key.Name).ToListAsync(cancellationToken);
    }

    /// <summary>The names of the role bindings scoped to the route.</summary>
    public static Task<List<string>> RoleBindingsAsync(AdminDbContext db, Guid tenantId, string route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.RoleBindings.Where(binding => binding.TenantId == tenantId && binding.Routes.Contains(route))
            .OrderBy(binding => binding.Name).Select(binding => binding.Name).ToListAsync(cancellationToken);
    }
}
