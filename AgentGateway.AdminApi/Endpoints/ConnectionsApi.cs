using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The token vault's doors. Under <c>/api/v1/me/connections</c> a signed-in user authorizes a tenant's backend for
/// themselves (the backend-auth policy's userOauth: authorization code with PKCE, completed by the same user), sees their
/// authorizations and disconnects them. A tenant's admins see every user's authorizations of the tenant's backends and
/// can remove any. Tokens are never returned.
/// </summary>
internal static class ConnectionsApi
{
    /// <summary>The connection the path names.</summary>
    private static readonly TenantItem s_connection = new("Connection", "connection", (db, tenantId, id, cancellationToken) =>
        Guid.TryParse(id, out var connection)
            ? db.UserConnections.AnyAsync(candidate => candidate.TenantId == tenantId && candidate.Id == connection, cancellationToken)
            : Task.FromResult(false));

    public static IEndpointRouteBuilder MapConnectionsApi(this IEndpointRouteBuilder endpoints)
    {
        var mine = endpoints.MapGroup("/api/v1/me/connections").WithTags("Connections");
        mine.MapGet("/", ListMyConnections).WithName("ListMyConnections").WithSummary("The signed-in user's authorizations of tenants' backends");
        mine.MapPost("/authorize", Authorize).WithName("AuthorizeConnection")
            .WithSummary("Start the signed-in user's authorization of a tenant's userOauth backend-auth policy: where to send their browser");
        mine.MapPost("/complete", Complete).WithName("CompleteConnection")
            .WithSummary("Complete an authorization the signed-in user started, with the code and state the authorization server sent back");
        mine.MapDelete("/{tenant}/{policy}", DisconnectMine).WithName("DisconnectMyConnection")
            .WithSummary("Revoke and forget the signed-in user's authorization of a tenant's policy");

        var tenant = endpoints.MapTenantGroup("/connections").WithTags("Connections");
        tenant.MapGet("/", ListTenantConnections).WithName("ListTenantConnections")
            .WithSummary("Every user's authorizations of the tenant's backends (admins and above)")
            .RequireTenantRole(TenantRole.Admin, "see users' connections (admins and above)");
        tenant.MapDelete("/{connection}", DisconnectTenantConnection).WithName("DeleteTenantConnection")
            .WithSummary("Revoke and forget a user's authorization of one of the tenant's backends (admins and above)")
            .RequireTenantRole(TenantRole.Admin, "remove users' connections (admins and above)", s_connection);
        return endpoints;
    }

    private static async Task<Results<Ok<List<UserConnectionResponse>>, ProblemHttpResult>> ListMyConnections(
        HttpContext context, AdminDbContext db, CancellationToken cancellationToken)
    {
        if (UserTokenVault.SubjectOf(context.User) is not { } subject)
        {
            return NoSubject();
        }

        var connections = await db.UserConnections.AsNoTracking().Include(connection => connection.Tenant)
            .Where(connection => connection.Subject == subject)
            .OrderBy(connection => connection.Tenant!.Name).ThenBy(connection => connection.Policy).ToListAsync(cancellationToken);
        return TypedResults.Ok(connections.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<AuthorizeConnectionResponse>, ValidationProblem, ProblemHttpResult>> Authorize(
        AuthorizeConnectionRequest request, HttpContext context, UserTokenVault vault, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "tenant", request.Tenant);
        Validation.Name(errors, "policy", request.Policy);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (UserTokenVault.SubjectOf(context.User) is not { } subject)
        {
            return NoSubject();
        }

        var (url, refusal) = await vault.BeginAsync(request.Tenant!, request.Policy!, subject, cancellationToken);
        return url is null ? Refused(refusal!) : TypedResults.Ok(new AuthorizeConnectionResponse(url));
    }

    private static async Task<Results<Ok<UserConnectionResponse>, ValidationProblem, ProblemHttpResult>> Complete(
        CompleteConnectionRequest request, HttpContext context, UserTokenVault vault, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        if (string.IsNullOrEmpty(request.Code) || request.Code.Length > 4096)
        {
            errors["code"] = ["is required: the code the authorization server sent back (at most 4096 characters)."];
        }

        if (string.IsNullOrEmpty(request.State) || request.State.Length > 4096)
        {
            errors["state"] = ["is required: the state the authorization server sent back (at most 4096 characters)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (UserTokenVault.SubjectOf(context.User) is not { } subject)
        {
            return NoSubject();
        }

        var (connection, refusal) = await vault.CompleteAsync(request.Code!, request.State!, subject, Caller.From(context.User).Username, cancellationToken);
        return connection is null ? Refused(refusal!) : TypedResults.Ok(ToResponse(connection));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisconnectMine(
        string tenant, string policy, HttpContext context, AdminDbContext db, UserTokenVault vault, CancellationToken cancellationToken)
    {
        if (UserTokenVault.SubjectOf(context.User) is not { } subject)
        {
            return NoSubject();
        }

        var connection = await db.UserConnections.Include(candidate => candidate.Tenant)
            .SingleOrDefaultAsync(candidate => candidate.Tenant!.Name == tenant && candidate.Policy == policy && candidate.Subject == subject, cancellationToken);
        if (connection is null)
        {
            return Problems.NotFound("Connection", $"{tenant}/{policy}");
        }

        await vault.DisconnectAsync(connection, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<UserConnectionResponse>>> ListTenantConnections(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var connections = await db.UserConnections.AsNoTracking().Include(connection => connection.Tenant)
            .Where(connection => connection.TenantId == grant.Tenant.Id)
            .OrderBy(connection => connection.Policy).ThenBy(connection => connection.Username).ToListAsync(cancellationToken);
        return TypedResults.Ok(connections.Select(ToResponse).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisconnectTenantConnection(
        string connection, TenantGrant grant, AdminDbContext db, UserTokenVault vault, CancellationToken cancellationToken)
    {
        var entity = Guid.TryParse(connection, out var id)
            ? await db.UserConnections.Include(candidate => candidate.Tenant)
                .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Id == id, cancellationToken)
            : null;
        if (entity is null)
        {
            return Problems.NotFound("Connection", connection);
        }

        await vault.DisconnectAsync(entity, cancellationToken);
        return TypedResults.NoContent();
    }

    private static UserConnectionResponse ToResponse(UserConnection connection) => new(
        connection.Id, connection.Tenant?.Name ?? string.Empty, connection.Policy, connection.Subject, connection.Username, connection.Scopes,
        connection.ExpiresAt, connection.RefreshToken is not null, connection.CreatedAt, connection.UpdatedAt);

    private static ProblemHttpResult Refused(VaultRefusal refusal) =>
        TypedResults.Problem(statusCode: refusal.Status, title: refusal.Status switch
        {
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status403Forbidden => "Forbidden",
            StatusCodes.Status409Conflict => "Conflict",
            StatusCodes.Status502BadGateway => "Authorization server failed",
            _ => "Cannot authorize",
        }, detail: refusal.Detail);

    private static ProblemHttpResult NoSubject() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Your token names no subject (sub) and issuer: connections are kept per user.");
}
