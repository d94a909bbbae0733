using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Routing;
using Microsoft.EntityFrameworkCore;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.Hosts;

/// <summary>
/// Who holds which host. A host belongs to one tenant: the first to claim it (explicitly, or by naming it in a route)
/// holds every host it covers until it releases it or a platform admin transfers it. Holding a host does not take a
/// tenant's routes out of <c>/{tenant}</c>; a platform admin's grant does (see <see cref="TenantNamespace"/>).
/// </summary>
internal static class HostClaims
{
    /// <summary>The normal form of a host pattern: lower case, without a trailing dot.</summary>
    public static string Normalize(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Trim().TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>Why a tenant may not claim <paramref name="host"/> itself (a platform admin may still assign it), or null.</summary>
    public static string? RefusalForTenant(string host, ProxyOptions proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        if (!RouteValidator.IsHostPattern(host))
        {
            return "must be a lower-case host name without port, optionally starting with '*.' (e.g. api.example.com or *.example.com).";
        }

        if (HostPatterns.IsWildcard(host) && host.Count(character => character == '.') < 2)
        {
            return $"'{host}' is too broad: a tenant's wildcard covers at least two labels, e.g. '*.example.com' (a platform admin may assign wider ones).";
        }

        if (HostPatterns.Matches(host, proxy.PublicUrl.IdnHost))
        {
            return $"'{host}' covers the gateway's own host '{proxy.PublicUrl.IdnHost}', whose paths every tenant shares under /{{tenant}}.";
        }

        return null;
    }

    /// <summary>The hosts granted to <paramref name="tenant"/>, as route validation reads them.</summary>
    public static async Task<HostGrantSet> GrantsOfAsync(AdminDbContext db, Tenant tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        var hosts = await db.HostClaims.AsNoTracking().Where(claim => claim.TenantId == tenant.Id && claim.Granted)
            .Select(claim => claim.Host).ToListAsync(cancellationToken);
        return HostGrantSet.Create(hosts.Select(host => new V1.HostGrant { Host = host, Tenant = tenant.Name }));
    }

    /// <summary>
    /// Claims hosts for <paramref name="tenant"/>: a refusal when one overlaps a host another tenant holds (a conflict)
    /// or is not a tenant's to claim, else null after adding a claim (saved with the caller's change) for each host the
    /// tenant does not hold yet. Call inside <see cref="ConfigChanges.BeginSerializedAsync"/>.
    /// </summary>
    public static async Task<HostRefusal?> ClaimAsync(
        AdminDbContext db, Tenant tenant, IReadOnlyCollection<string> hosts, ProxyOptions proxy, string caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(hosts);
        if (hosts.Count == 0)
        {
            return null;
        }

        var claims = await db.HostClaims.AsNoTracking().Select(claim => new { claim.Host, claim.TenantId }).ToListAsync(cancellationToken);
        foreach (var host in hosts)
        {
            if (claims.FirstOrDefault(claim => claim.TenantId != tenant.Id && HostPatterns.Overlap(claim.Host, host)) is { } taken)
            {
                return new HostRefusal(Conflict: true, taken.Host == host
                    ? $"The host '{host}' belongs to another tenant."
                    : $"The host '{host}' overlaps '{taken.Host}', which belongs to another tenant.");
            }
        }

        foreach (var host in hosts.Where(host => !claims.Any(claim => claim.TenantId == tenant.Id && HostPatterns.Covers(claim.Host, host))).Distinct(StringComparer.Ordinal))
        {
            if (RefusalForTenant(host, proxy) is { } refusal)
            {
                return new HostRefusal(Conflict: false, refusal);
            }

            db.HostClaims.Add(new HostClaim { Id = Guid.CreateVersion7(), Host = host, TenantId = tenant.Id, ClaimedBy = caller, ClaimedAt = now });
        }

        return null;
    }

    /// <summary>The routes of the tenant that name a host <paramref name="claimHost"/> covers and no other claim of the tenant does.</summary>
    public static async Task<List<string>> RoutesHeldByAsync(AdminDbContext db, Guid tenantId, string claimHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var others = await db.HostClaims.AsNoTracking().Where(claim => claim.TenantId == tenantId && claim.Host != claimHost)
            .Select(claim => claim.Host).ToListAsync(cancellationToken);
        var routes = await db.Routes.AsNoTracking().Where(route => route.TenantId == tenantId && route.Hosts.Count > 0)
            .Select(route => new { route.Name, route.Hosts }).ToListAsync(cancellationToken);
        return [.. routes
            .Where(route => route.Hosts.Any(host => HostPatterns.Covers(claimHost, host) && !others.Any(other => HostPatterns.Covers(other, host))))
            .Select(route => route.Name)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The routes of the tenant that would leave its namespace without the grant of <paramref name="claimHost"/>: their
    /// paths lie outside <c>/{tenant}</c> and the tenant's other grants do not cover them.
    /// </summary>
    public static async Task<List<string>> RoutesNeedingGrantAsync(AdminDbContext db, Tenant tenant, string claimHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        var remaining = await db.HostClaims.AsNoTracking().Where(claim => claim.TenantId == tenant.Id && claim.Granted && claim.Host != claimHost)
            .Select(claim => claim.Host).ToListAsync(cancellationToken);
        var grants = HostGrantSet.Create(remaining.Select(host => new V1.HostGrant { Host = host, Tenant = tenant.Name }));
        var routes = await db.Routes.AsNoTracking().Where(route => route.TenantId == tenant.Id).ToListAsync(cancellationToken);
        var needing = new List<string>();
        foreach (var route in routes)
        {
            var errors = new List<ConfigError>();
            TenantNamespace.Validate(tenant.Name, RouteDefinitions.Of(route).Match, grants, string.Empty, errors);
            if (errors.Count > 0)
            {
                needing.Add(route.Name);
            }
        }

        return [.. needing.Order(StringComparer.Ordinal)];
    }
}
