using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Audit;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The audit log: every change, newest first, a page at a time, searchable by who made it, the type and name of what
/// changed, the action and the time; a tenant's log holds its own changes alone, whatever the filter.
/// </summary>
internal static class AuditApi
{
    private const int MaxPage = 500;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTenantGroup("/audit").MapGet("", ListTenantAudit).WithTags("Audit").WithName("ListTenantAudit")
            .WithSummary("Changes to a tenant and everything in it, newest first, by actor, resource type and name, action and time (tenant owners and admins)")
            .RequireTenantRole(TenantRole.Admin, "read the audit log (tenant owners and admins)");
        endpoints.MapGet("/api/v1/audit", ListAudit).WithTags("Audit").WithName("ListAudit")
            .WithSummary("Every change on the platform, newest first, by tenant, actor, resource type and name, action and time (platform admins)")
            .RequirePlatformAdmin("read the platform's audit log (platform admins only)");
        return endpoints;
    }

    /// <param name="actor">Changes by this user (or <c>system</c>) only.</param>
    /// <param name="type">Changes to this type of resource only: 'route', 'mcp-server', 'policy', 'secret', ...</param>
    /// <param name="resource">Changes to the resource of this name only.</param>
    /// <param name="action">'created', 'updated' or 'deleted' ('create', 'update', 'delete' too).</param>
    /// <param name="from">Changes at or after this time only.</param>
    /// <param name="to">Changes before this time only.</param>
    /// <param name="before">Changes before this time only: the last page's oldest, for the next page.</param>
    /// <param name="limit">How many (1-500; default 100).</param>
    private static async Task<Results<Ok<List<AuditEntryResponse>>, ValidationProblem>> ListTenantAudit(
        string? actor, string? type, string? resource, string? action, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset? before, int? limit,
        TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var entries = Filter(db.AuditEntries.Where(entry => entry.TenantId == grant.Tenant.Id), actor, type, resource, action, from, to, before, limit, errors);
        return entries is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await PageAsync(entries, limit, cancellationToken));
    }

    /// <param name="tenant">Changes to this tenant and everything in it only.</param>
    private static async Task<Results<Ok<List<AuditEntryResponse>>, ValidationProblem>> ListAudit(
        string? tenant, string? actor, string? type, string? resource, string? action, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset? before, int? limit,
        AdminDbContext db, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        IQueryable<AuditEntry> scope = db.AuditEntries;
        if (tenant is not null)
        {
            var id = await db.Tenants.Where(candidate => candidate.Name == tenant).Select(candidate => (Guid?)candidate.Id).SingleOrDefaultAsync(cancellationToken);
            if (id is null)
            {
                errors["tenant"] = [$"there is no tenant '{tenant}'."];
            }

            scope = scope.Where(entry => entry.TenantId == id);
        }

        var entries = Filter(scope, actor, type, resource, action, from, to, before, limit, errors);
        return entries is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await PageAsync(entries, limit, cancellationToken));
    }

    /// <summary>The entries that match every filter given, or null with the reasons in <paramref name="errors"/>.</summary>
    private static IQueryable<AuditEntry>? Filter(
        IQueryable<AuditEntry> entries, string? actor, string? type, string? resource, string? action, DateTimeOffset? from, DateTimeOffset? to,
        DateTimeOffset? before, int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxPage)
        {
            errors["limit"] = [$"must be between 1 and {MaxPage}."];
        }

        if (type is not null && !AuditNames.EntityTypes.Contains(type))
        {
            errors["type"] = [$"must be one of {string.Join(", ", AuditNames.EntityTypes.Order(StringComparer.Ordinal).Select(name => $"'{name}'"))}."];
        }

        var recorded = action switch
        {
            null => null,
            "create" => AuditNames.Created,
            "update" => AuditNames.Updated,
            "delete" => AuditNames.Deleted,
            _ when AuditNames.Actions.Contains(action) => action,
            _ => string.Empty,
        };
        if (recorded == string.Empty)
        {
            errors["action"] = ["must be 'created', 'updated' or 'deleted'."];
        }

        if (from is not null && to is not null && from >= to)
        {
            errors["from"] = ["must be before 'to'."];
        }

        if (errors.Count > 0)
        {
            return null;
        }

        entries = actor is null ? entries : entries.Where(entry => entry.Actor == actor);
        entries = type is null ? entries : entries.Where(entry => entry.EntityType == type);
        entries = resource is null ? entries : entries.Where(entry => entry.EntityName == resource);
        entries = recorded is null ? entries : entries.Where(entry => entry.Action == recorded);
        entries = from is null ? entries : entries.Where(entry => entry.OccurredAt >= from);
        entries = to is null ? entries : entries.Where(entry => entry.OccurredAt < to);
        return before is null ? entries : entries.Where(entry => entry.OccurredAt < before);
    }

    private static async Task<List<AuditEntryResponse>> PageAsync(IQueryable<AuditEntry> entries, int? limit, CancellationToken cancellationToken)
    {
        var page = await entries.AsNoTracking()
            .OrderByDescending(entry => entry.OccurredAt).ThenByDescending(entry => entry.Id)
            .Take(limit ?? 100)
            .ToListAsync(cancellationToken);
        return [.. page.Select(entry => new AuditEntryResponse(
            entry.Id, entry.OccurredAt, entry.Actor, entry.Action, entry.EntityType, entry.EntityName, entry.Before, entry.After, entry.RequestId))];
    }
}
