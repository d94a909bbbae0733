using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.Mcp;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The keys proxies seal MCP session ids with (platform admins). Key material never leaves through the API; it goes
/// to proxies over xDS only.
/// </summary>
internal static class SessionKeysApi
{
    public static IEndpointRouteBuilder MapSessionKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/session-keys").WithTags("Session keys");
        group.MapGet("", ListKeys).WithName("ListSessionKeys")
            .WithSummary("The session keys proxies hold: which is primary and when each was made (platform admins)")
            .RequirePlatformAdmin("list session keys (platform admins only)");
        group.MapPost("/rotate", RotateKeys).WithName("RotateSessionKeys")
            .WithSummary($"Makes a new primary key; the previous {SessionKeys.RetiredKeysKept} keys still open session ids they sealed (platform admins)")
            .RequirePlatformAdmin("rotate session keys (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<List<SessionKeyResponse>>> ListKeys(AdminDbContext db, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await db.SessionKeys.AsNoTracking()
            .OrderByDescending(key => key.CreatedAt)
            .Select(key => new SessionKeyResponse(key.Id, key.IsPrimary, key.CreatedAt))
            .ToListAsync(cancellationToken));
    }

    private static async Task<Ok<SessionKeyResponse>> RotateKeys(AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = await SessionKeys.RotateAsync(db, time, cancellationToken);
        return TypedResults.Ok(new SessionKeyResponse(key.Id, key.IsPrimary, key.CreatedAt));
    }
}
