using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>The audit log: every change, newest first, a page at a time.</summary>
internal static class AuditApi
{
    private const int MaxPage = 500;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTenantGroup("/audit").MapGet("", ListTenantAudit).WithTags("Audit").WithName("ListTenantAudit")
            .WithSummary("Changes to a tenant and everything in it, newest first (tenant owners and admins)")
            .RequireTenantRole(TenantRole.Admin, "read the audit log (tenant owners and admins)");
        endpoints.MapGet("/api/v1/audit", ListAudit).WithTags("Audit").WithName("ListAudit")
            .WithSummary("Every change on the platform, newest first (platform admins)")
            .RequirePlatformAdmin("read the platform's audit log (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<List<AuditEntryResponse>>> ListTenantAudit(
        TenantGrant grant, AdminDbContext db, DateTimeOffset? before, int? limit, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await PageAsync(db.AuditEntries.Where(entry => entry.TenantId == grant.Tenant.Id), before, limit, cancellationToken));
    }

    private static async Task<Ok<List<AuditEntryResponse>>> ListAudit(
        AdminDbContext db, DateTimeOffset? before, int? limit, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await PageAsync(db.AuditEntries, before, limit, cancellationToken));
    }

    /// <summary>Up to <paramref name="limit"/> entries older than <paramref name="before"/> (the last page's oldest time).</summary>
    private static async Task<List<AuditEntryResponse>> PageAsync(IQueryable<AuditEntry> entries, DateTimeOffset? before, int? limit, CancellationToken cancellationToken)
    {
        if (before is { } cutoff)
        {
            entries = entries.Where(entry => entry.OccurredAt < cutoff);
        }

        var page = await entries.AsNoTracking()
            .OrderByDescending(entry => entry.OccurredAt).ThenByDescending(entry => entry.Id)
            .Take(Math.Clamp(limit ?? 100, 1, MaxPage))
            .ToListAsync(cancellationToken);
        return [.. page.Select(entry => new AuditEntryResponse(
            entry.Id, entry.OccurredAt, entry.Actor, entry.Action, entry.EntityType, entry.EntityName, entry.Before, entry.After, entry.RequestId))];
    }
}
