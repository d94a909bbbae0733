using System.Security.Claims;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A route's tool pins, the defence against tool poisoning: the approved definition of each tool of each target,
/// and the definitions waiting for a tenant admin (new ones with hidden-instruction findings, and changed ones).
/// </summary>
internal static class ToolPinsApi
{
    /// <summary>The pin of a tool of a target of a route that the path names, as "{route}/{target}/{tool}".</summary>
    private static readonly TenantItem s_pin = new("Tool pin", ["route", "target", "tool"], (db, tenantId, values, cancellationToken) =>
    {
        var (route, target, tool) = (values[0], values[1], values[2]);
        return db.ToolPins.AnyAsync(pin => pin.Route!.TenantId == tenantId && pin.Route.Name == route && pin.Target == target && pin.Tool == tool, cancellationToken);
    });

    public static IEndpointRouteBuilder MapToolPinsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/routes/{route}/tool-pins").WithTags("Tool pins");
        api.MapGet("/", ListPins).WithName("ListToolPins")
            .WithSummary("The route's tool pins, each with its approved and its pending definition (to compare)");
        api.MapPost("/{target}/{tool}/approve", ApprovePin).WithName("ApproveToolPin")
            .WithSummary("Approve the pending definition of a tool (tenant admins; honours If-Match); proxies then serve it")
            .RequireTenantRole(TenantRole.Admin, "approve tool definitions (tenant admins and above)", s_pin);
        api.MapDelete("/{target}/{tool}", DeletePin).WithName("DeleteToolPin")
            .WithSummary("Forget a tool's pin (tenant admins): its next sight is a first sight again")
            .RequireTenantRole(TenantRole.Admin, "forget tool pins (tenant admins and above)", s_pin);
        return endpoints;
    }

    private static async Task<Results<Ok<List<ToolPinResponse>>, ProblemHttpResult>> ListPins(
        string route, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Routes.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        var pins = await db.ToolPins.AsNoTracking().Where(pin => pin.RouteId == entity.Id)
            .OrderBy(pin => pin.Target).ThenBy(pin => pin.Tool).ToListAsync(cancellationToken);
        return TypedResults.Ok(pins.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<ToolPinResponse>, ProblemHttpResult>> ApprovePin(
        string route, string target, string tool, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        if (await FindAsync(db, grant, route, target, tool, cancellationToken) is not { } pin)
        {
            return Problems.NotFound("Tool pin", $"{route}/{target}/{tool}");
        }

        if (pin.PendingSha256 is null)
        {
            return Problems.Conflict($"Tool '{tool}' of target '{target}' has no definition waiting for approval.");
        }

        if (ETags.CheckIfMatch(context.Request, pin.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        var now = time.GetUtcNow();
        pin.ApprovedSha256 = pin.PendingSha256;
        pin.ApprovedDefinition = pin.PendingDefinition;
        pin.ApprovedBy = caller.Username;
        pin.ApprovedAt = now;
        pin.PendingSha256 = null;
        pin.PendingDefinition = null;
        pin.PendingFindings = [];
        pin.Status = ToolPinStatus.Approved;
        pin.UpdatedAt = now;
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(pin));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePin(
        string route, string target, string tool, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, grant, route, target, tool, cancellationToken) is not { } pin)
        {
            return Problems.NotFound("Tool pin", $"{route}/{target}/{tool}");
        }

        db.ToolPins.Remove(pin);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<ToolPin?> FindAsync(AdminDbContext db, TenantGrant grant, string route, string target, string tool, CancellationToken cancellationToken) =>
        db.ToolPins.Include(pin => pin.Route)
            .SingleOrDefaultAsync(pin => pin.Route!.TenantId == grant.Tenant.Id && pin.Route.Name == route && pin.Target == target && pin.Tool == tool, cancellationToken);

    private static ToolPinResponse ToResponse(ToolPin pin) => new(
        pin.Target,
        pin.Tool,
        pin.Status.ToString().ToLowerInvariant(),
        pin.ApprovedSha256,
        pin.ApprovedDefinition,
        pin.PendingSha256,
        pin.PendingDefinition,
        pin.PendingFindings,
        pin.FirstSeenAt,
        pin.UpdatedAt,
        pin.ApprovedBy,
        pin.ApprovedAt,
        pin.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
