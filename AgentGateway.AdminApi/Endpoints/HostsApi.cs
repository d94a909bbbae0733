using System.Security.Claims;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Hosts;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// Hosts and who holds them (see <see cref="HostClaims"/>): a tenant's claims under its own path, and the
/// platform-wide list where platform admins assign, transfer, grant and release hosts.
/// </summary>
internal static class HostsApi
{
    /// <summary>The host the tenant holds that the path names (in its normal form).</summary>
    private static readonly TenantItem s_host = new("Host", ["host"], (db, tenantId, values, cancellationToken) =>
    {
        var host = HostClaims.Normalize(values[0]);
        return db.HostClaims.AnyAsync(claim => claim.TenantId == tenantId && claim.Host == host, cancellationToken);
    }, values => HostClaims.Normalize(values[0]));

    public static IEndpointRouteBuilder MapHostsApi(this IEndpointRouteBuilder endpoints)
    {
        var tenantHosts = endpoints.MapTenantGroup("/hosts").WithTags("Hosts");
        tenantHosts.MapGet("/", ListTenantHosts).WithName("ListTenantHosts").WithSummary("The hosts the tenant holds, with the routes that name them");
        tenantHosts.MapPost("/", ClaimHost).WithName("ClaimHost")
            .WithSummary("Claim a host for the tenant (first come, first served); routes claim the hosts they name too")
            .RequireTenantRole(TenantRole.Developer, "claim hosts (developers and above)");
        tenantHosts.MapDelete("/{host}", ReleaseTenantHost).WithName("ReleaseTenantHost").WithSummary("Give up a host no route of the tenant names (admins and above)")
            .RequireTenantRole(TenantRole.Admin, "release hosts (admins and above)", s_host);

        var platformHosts = endpoints.MapGroup("/api/v1/hosts").WithTags("Hosts");
        platformHosts.MapGet("/", ListHosts).WithName("ListHosts").WithSummary("Every host a tenant holds (platform admins)")
            .RequirePlatformAdmin("list every tenant's hosts (platform admins only)");
        platformHosts.MapPut("/{host}", AssignHost).WithName("AssignHost")
            .WithSummary("Assign a host to a tenant, transfer it, or grant the tenant every path of it (platform admins)")
            .RequirePlatformAdmin("assign hosts (platform admins only)");
        platformHosts.MapDelete("/{host}", ReleaseHost).WithName("ReleaseHost").WithSummary("Release a host no route names (platform admins)")
            .RequirePlatformAdmin("release hosts of any tenant (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<List<HostClaimResponse>>> ListTenantHosts(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var claims = await db.HostClaims.AsNoTracking().Where(claim => claim.TenantId == grant.Tenant.Id).OrderBy(claim => claim.Host).ToListAsync(cancellationToken);
        var routes = await RouteHostsAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(claims.Select(claim => ToResponse(claim, null, routes)).ToList());
    }

    private static async Task<Results<Created<HostClaimResponse>, ValidationProblem, ProblemHttpResult>> ClaimHost(
        string tenant, ClaimHostRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, IOptions<ProxyOptions> proxy, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var host = HostClaims.Normalize(request.Host ?? string.Empty);
        if (HostClaims.RefusalForTenant(host, proxy.Value) is { } refusal)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["host"] = [refusal] });
        }

        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        if (await db.HostClaims.AnyAsync(claim => claim.TenantId == grant.Tenant.Id && claim.Host == host, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already holds '{host}'.");
        }

        if (await HostClaims.ClaimAsync(db, grant.Tenant, [host], proxy.Value, caller.Username, time.GetUtcNow(), cancellationToken) is { } refused)
        {
            return refused.Conflict
                ? Problems.Conflict(refused.Message)
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["host"] = [refused.Message] });
        }

        var claim = db.ChangeTracker.Entries<HostClaim>().Select(entry => entry.Entity).SingleOrDefault(candidate => candidate.Host == host);
        if (claim is null)
        {
            return Problems.Conflict($"Tenant '{tenant}' already holds '{host}' through a wildcard; release that first to claim it apart.");
        }

        await db.SaveConfigChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/{tenant}/hosts/{host}", ToResponse(claim, null, await RouteHostsAsync(db, grant.Tenant.Id, cancellationToken)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseTenantHost(
        string host, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var normalized = HostClaims.Normalize(host);
        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        var claim = await db.HostClaims.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Host == normalized, cancellationToken);
        if (claim is null)
        {
            return Problems.NotFound("Host", normalized);
        }

        return await ReleaseAsync(db, grant.Tenant, claim, transaction, cancellationToken);
    }

    private static async Task<Ok<List<HostClaimResponse>>> ListHosts(AdminDbContext db, CancellationToken cancellationToken)
    {
        var claims = await db.HostClaims.AsNoTracking().Include(claim => claim.Tenant).OrderBy(claim => claim.Host).ToListAsync(cancellationToken);
        var routes = await RouteHostsAsync(db, null, cancellationToken);
        return TypedResults.Ok(claims.Select(claim => ToResponse(claim, claim.Tenant!.Name, routes)).ToList());
    }

    private static async Task<Results<Ok<HostClaimResponse>, Created<HostClaimResponse>, ValidationProblem, ProblemHttpResult>> AssignHost(
        string host, AssignHostRequest request, ClaimsPrincipal user, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var normalized = HostClaims.Normalize(host);
        var errors = Validation.Errors();
        if (!RouteValidator.IsHostPattern(normalized))
        {
            errors["host"] = ["must be a lower-case host name without port, optionally starting with '*.' (e.g. api.example.com or *.example.com)."];
        }

        Validation.Name(errors, "tenant", request.Tenant);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        var tenant = await db.Tenants.SingleOrDefaultAsync(candidate => candidate.Name == request.Tenant, cancellationToken);
        if (tenant is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [$"there is no tenant '{request.Tenant}'."] });
        }

        var others = await db.HostClaims.AsNoTracking().Include(claim => claim.Tenant)
            .Where(claim => claim.TenantId != tenant.Id && claim.Host != normalized).ToListAsync(cancellationToken);
        if (others.FirstOrDefault(claim => HostPatterns.Overlap(claim.Host, normalized)) is { } overlapping)
        {
            return Problems.Conflict($"'{normalized}' overlaps '{overlapping.Host}', which tenant '{overlapping.Tenant!.Name}' holds; release or transfer that first.");
        }

        var claim = await db.HostClaims.Include(candidate => candidate.Tenant).SingleOrDefaultAsync(candidate => candidate.Host == normalized, cancellationToken);
        var granted = request.Granted ?? false;
        var now = time.GetUtcNow();
        var created = claim is null;
        if (claim is null)
        {
            claim = new HostClaim { Id = Guid.CreateVersion7(), Host = normalized, TenantId = tenant.Id, ClaimedBy = caller.Username, ClaimedAt = now };
            db.HostClaims.Add(claim);
        }
        else if (claim.TenantId != tenant.Id)
        {
            // A transfer: the tenant losing the host must not have routes that still name it or need its grant.
            var held = await HostClaims.RoutesHeldByAsync(db, claim.TenantId, normalized, cancellationToken);
            var needing = claim.Granted ? await HostClaims.RoutesNeedingGrantAsync(db, claim.Tenant!, normalized, cancellationToken) : [];
            if (held.Concat(needing).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } routes)
            {
                return Problems.Conflict($"Tenant '{claim.Tenant!.Name}' has routes that depend on '{normalized}' ({string.Join(", ", routes.Select(name => $"'{name}'"))}); change them first.");
            }

            claim.TenantId = tenant.Id;
            claim.Tenant = tenant;
            claim.ClaimedBy = caller.Username;
            claim.ClaimedAt = now;
        }
        else if (claim.Granted && !granted && await HostClaims.RoutesNeedingGrantAsync(db, tenant, normalized, cancellationToken) is { Count: > 0 } needing)
        {
            return Problems.Conflict($"Routes of tenant '{tenant.Name}' take paths outside '/{tenant.Name}' thanks to this grant ({string.Join(", ", needing.Select(name => $"'{name}'"))}); change them first.");
        }

        claim.Granted = granted;
        claim.AssignedBy = caller.Username;
        claim.AssignedAt = now;
        await db.SaveConfigChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var response = ToResponse(claim, tenant.Name, await RouteHostsAsync(db, tenant.Id, cancellationToken));
        return created ? TypedResults.Created($"/api/v1/hosts/{normalized}", response) : TypedResults.Ok(response);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseHost(string host, AdminDbContext db, CancellationToken cancellationToken)
    {
        var normalized = HostClaims.Normalize(host);
        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        var claim = await db.HostClaims.Include(candidate => candidate.Tenant).SingleOrDefaultAsync(candidate => candidate.Host == normalized, cancellationToken);
        if (claim is null)
        {
            return Problems.NotFound("Host", normalized);
        }

        return await ReleaseAsync(db, claim.Tenant!, claim, transaction, cancellationToken);
    }

    /// <summary>Removes a claim, unless routes of its tenant name a host only it covers or take paths only its grant allows (409).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseAsync(
        AdminDbContext db, Tenant tenant, HostClaim claim, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var held = await HostClaims.RoutesHeldByAsync(db, tenant.Id, claim.Host, cancellationToken);
        var needing = claim.Granted ? await HostClaims.RoutesNeedingGrantAsync(db, tenant, claim.Host, cancellationToken) : [];
        if (held.Concat(needing).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } routes)
        {
            return Problems.Conflict($"Route(s) {string.Join(", ", routes.Select(name => $"'{name}'"))} of tenant '{tenant.Name}' depend on '{claim.Host}'; change or delete them first.");
        }

        db.HostClaims.Remove(claim);
        await db.SaveConfigChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The hosts each route names, by tenant (one tenant's, or every tenant's when <paramref name="tenantId"/> is null).</summary>
    private static async Task<List<(Guid TenantId, string Route, List<string> Hosts)>> RouteHostsAsync(AdminDbContext db, Guid? tenantId, CancellationToken cancellationToken)
    {
        var routes = await db.Routes.AsNoTracking().Where(route => route.Hosts.Count > 0 && (tenantId == null || route.TenantId == tenantId))
            .Select(route => new { route.TenantId, route.Name, route.Hosts }).ToListAsync(cancellationToken);
        return [.. routes.Select(route => (route.TenantId, route.Name, route.Hosts))];
    }

    private static HostClaimResponse ToResponse(HostClaim claim, string? tenant, List<(Guid TenantId, string Route, List<string> Hosts)> routes) => new(
        claim.Host,
        tenant,
        claim.Granted,
        claim.ClaimedBy,
        claim.ClaimedAt,
        claim.AssignedBy,
        claim.AssignedAt,
        [.. routes.Where(route => route.TenantId == claim.TenantId && route.Hosts.Any(host => HostPatterns.Covers(claim.Host, host)))
            .Select(route => route.Route).Order(StringComparer.Ordinal)]);
}
