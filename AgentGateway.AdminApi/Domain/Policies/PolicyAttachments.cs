using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>What a tenant's policies hold on to: the routes, servers, agents and providers they attach to, and the proxy's own identity.</summary>
internal static class PolicyAttachments
{
    /// <summary>The names of the policies attached to a route, MCP server or agent (which then cannot be deleted).</summary>
    public static Task<List<string>> AttachedToAsync(AdminDbContext db, Guid tenantId, string targetKind, string targetName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Policies.Where(policy => policy.TenantId == tenantId && policy.TargetKind == targetKind && policy.TargetName == targetName)
            .OrderBy(policy => policy.Name).Select(policy => policy.Name).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The policies attached to a route that would do nothing on a route of <paramref name="routeKind"/>, each with why
    /// (the catalog's <see cref="PolicyKind.NoEffect"/>): a route may not change its kind under them, or they would
    /// silently stop acting.
    /// </summary>
    public static async Task<List<(string Policy, string Reason)>> WithoutEffectOnAsync(
        AdminDbContext db, Guid tenantId, string routeName, string routeKind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var attached = await db.Policies.AsNoTracking()
            .Where(policy => policy.TenantId == tenantId && policy.TargetKind == PolicyTargets.Route && policy.TargetName == routeName)
            .OrderBy(policy => policy.Name).Select(policy => new { policy.Name, policy.Kind }).ToListAsync(cancellationToken);
        return [.. attached
            .Select(policy => (policy.Name, Reason: PolicyKinds.Find(policy.Kind)?.NoEffect(PolicyTargets.Route, routeKind)))
            .Where(policy => policy.Reason is not null)
            .Select(policy => (policy.Name, policy.Reason!))];
    }

    /// <summary>The tenant's policies that use the proxy's own cloud identity.</summary>
    public static async Task<List<string>> UsingProxyIdentityAsync(AdminDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var policies = await db.Policies.AsNoTracking().Where(policy => policy.TenantId == tenantId).ToListAsync(cancellationToken);
        return [.. policies
            .Where(policy => PolicyKinds.Find(policy.Kind) is { } kind && ParsedSpec(kind, policy) is { } spec && PolicyValidator.ProxyIdentityUses(spec).Any())
            .Select(policy => policy.Name)
            .Order(StringComparer.Ordinal)];
    }

    private static Google.Protobuf.IMessage? ParsedSpec(PolicyKind kind, Policy policy)
    {
        var problems = new List<ConfigError>();
        var message = kind.Parse(System.Text.Json.JsonSerializer.SerializeToElement(policy.Spec), "spec", problems);
        return problems.Count == 0 ? message : null;
    }
}
