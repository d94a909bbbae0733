using AgentGateway.AdminApi.Data;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>The routes role bindings cover.</summary>
internal static class RoleBindingScopes
{
    /// <summary>The names of the role bindings scoped to a route (which then cannot be deleted).</summary>
    public static Task<List<string>> ScopedToAsync(AdminDbContext db, Guid tenantId, string route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.RoleBindings.Where(binding => binding.TenantId == tenantId && binding.Routes.Contains(route))
            .OrderBy(binding => binding.Name).Select(binding => binding.Name).ToListAsync(cancellationToken);
    }
}
