using System.Security.Claims;
using AgentGateway.AdminApi.Authorization;
using AgentGateway.AdminApi.Contracts;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Mcp;
using AgentGateway.AdminApi.Policies;
using AgentGateway.AdminApi.Xds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Apis;

/// <summary>A tenant's routes: client-facing endpoints that federate its MCP servers.</summary>
internal static class RoutesApi
{
    public static IEndpointRouteBuilder MapRoutesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/tenants/{tenant}/routes").WithTags("Routes");
        api.MapGet("/", ListRoutes).WithName("ListRoutes").WithSummary("The tenant's routes");
        api.MapPost("/", CreateRoute).WithName("CreateRoute").WithSummary("Create a route federating MCP servers");
        api.MapGet("/{route}", GetRoute).WithName("GetRoute").WithSummary("One route");
        api.MapPut("/{route}", UpdateRoute).WithName("UpdateRoute").WithSummary("Change a route (honours If-Match)");
        api.MapDelete("/{route}", DeleteRoute).WithName("DeleteRoute").WithSummary("Delete a route");
        api.MapGet("/{route}/tools", ListRouteTools).WithName("ListRouteTools").WithSummary("The tools the route exposes, listed live from its targets");
        return endpoints;
    }

    private static async Task<Results<Ok<List<RouteResponse>>, ProblemHttpResult>> ListRoutes(
        string tenant, ClaimsPrincipal user, TenantAccess access, AdminDbContext db, IOptions<ProxyOptions> proxy, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var routes = await RoutesWithTargets(db).Where(route => route.TenantId == grant.Tenant.Id)
            .OrderBy(route => route.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(routes.Select(route => ToResponse(route, proxy.Value)).ToList());
    }

    private static async Task<Results<Created<RouteResponse>, ValidationProblem, ProblemHttpResult>> CreateRoute(
        string tenant, CreateRouteRequest request, ClaimsPrincipal user, TenantAccess access, AdminDbContext db,
        IOptions<ProxyOptions> proxy, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        if (!grant.Allows(TenantRole.Developer))
        {
            return Problems.Forbidden("create routes (developers and above)");
        }

        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        var path = string.IsNullOrEmpty(request.Path) ? $"/{tenant}/{request.Name}" : request.Path;
        var (mode, servers) = await ValidateBodyAsync(errors, db, grant.Tenant, path, request.Targets, request.PrefixMode, cancellationToken);
        var failureMode = Validation.FailureMode(errors, request.FailureMode);
        var toolPinning = Validation.ToolPinning(errors, request.ToolPinning);
        Validation.TargetTimeout(errors, request.TargetTimeoutMs);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Routes.AnyAsync(route => route.TenantId == grant.Tenant.Id && route.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a route named '{request.Name}'.");
        }

        if (await db.Routes.AnyAsync(route => route.Path == path, cancellationToken))
        {
            return Problems.Conflict($"The path '{path}' is already used by another route.");
        }

        var now = time.GetUtcNow();
        var route = new GatewayRoute
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Path = path,
            PrefixMode = mode,
            FailureMode = failureMode!.Value,
            TargetTimeoutMs = request.TargetTimeoutMs,
            ToolPinning = toolPinning!.Value,
            CreatedAt = now,
            UpdatedAt = now,
            Targets = [.. servers.Select((server, index) => new RouteTarget { McpServerId = server.Id, McpServer = server, Position = index })],
        };
        db.Routes.Add(route);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"A route named '{request.Name}' or at path '{path}' already exists.");
        }

        ETags.Set(context.Response, route.Version);
        return TypedResults.Created($"/api/v1/tenants/{tenant}/routes/{route.Name}", ToResponse(route, proxy.Value));
    }

    private static async Task<Results<Ok<RouteResponse>, ProblemHttpResult>> GetRoute(
        string tenant, string route, ClaimsPrincipal user, TenantAccess access, AdminDbContext db, IOptions<ProxyOptions> proxy,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var entity = await RoutesWithTargets(db).SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        ETags.Set(context.Response, entity.Version);
        return TypedResults.Ok(ToResponse(entity, proxy.Value));
    }

    private static async Task<Results<Ok<RouteResponse>, ValidationProblem, ProblemHttpResult>> UpdateRoute(
        string tenant, string route, UpdateRouteRequest request, ClaimsPrincipal user, TenantAccess access, AdminDbContext db,
        IOptions<ProxyOptions> proxy, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var entity = await RoutesWithTargets(db).SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        if (!grant.Allows(TenantRole.Developer))
        {
            return Problems.Forbidden("change routes (developers and above)");
        }

        var errors = Validation.Errors();
        var path = string.IsNullOrEmpty(request.Path) ? entity.Path : request.Path;
        var (mode, servers) = await ValidateBodyAsync(errors, db, grant.Tenant, path, request.Targets, request.PrefixMode, cancellationToken);
        var failureMode = Validation.FailureMode(errors, request.FailureMode);
        // Left out, the setting stays: clients that do not know it do not turn pinning back on or off.
        var toolPinning = request.ToolPinning is null ? entity.ToolPinning : Validation.ToolPinning(errors, request.ToolPinning);
        Validation.TargetTimeout(errors, request.TargetTimeoutMs);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!ETags.IfMatchAllows(context.Request, entity.Version))
        {
            return Problems.PreconditionFailed();
        }

        if (path != entity.Path && await db.Routes.AnyAsync(candidate => candidate.Path == path, cancellationToken))
        {
            return Problems.Conflict($"The path '{path}' is already used by another route.");
        }

        entity.Path = path;
        entity.PrefixMode = mode;
        entity.FailureMode = failureMode!.Value;
        entity.TargetTimeoutMs = request.TargetTimeoutMs;
        entity.ToolPinning = toolPinning!.Value;
        entity.UpdatedAt = time.GetUtcNow();
        db.RouteTargets.RemoveRange(entity.Targets);
        entity.Targets = [.. servers.Select((server, index) => new RouteTarget { RouteId = entity.Id, McpServerId = server.Id, McpServer = server, Position = index })];
        // The route row itself must change with its targets so that its version (the ETag) moves on.
        db.Entry(entity).Property(candidate => candidate.UpdatedAt).IsModified = true;
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.PreconditionFailed();
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"The path '{path}' is already used by another route.");
        }

        ETags.Set(context.Response, entity.Version);
        return TypedResults.Ok(ToResponse(entity, proxy.Value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRoute(
        string tenant, string route, ClaimsPrincipal user, TenantAccess access, AdminDbContext db, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var entity = await db.Routes.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        if (!grant.Allows(TenantRole.Developer))
        {
            return Problems.Forbidden("delete routes (developers and above)");
        }

        var policies = await PoliciesApi.AttachedToAsync(db, grant.Tenant.Id, PolicyTargets.Route, entity.Name, cancellationToken);
        if (policies.Count > 0)
        {
            return Problems.Conflict($"Route '{route}' has polic{(policies.Count == 1 ? "y" : "ies")} {string.Join(", ", policies.Select(name => $"'{name}'"))} attached; delete them or attach them elsewhere first.");
        }

        var keys = await ApiKeysApi.ScopedToAsync(db, grant.Tenant.Id, entity.Name, cancellationToken);
        if (keys.Count > 0)
        {
            return Problems.Conflict($"API key(s) {string.Join(", ", keys.Select(name => $"'{name}'"))} are scoped to route '{route}'; change their routes or revoke them first.");
        }

        var bindings = await RoleBindingsApi.ScopedToAsync(db, grant.Tenant.Id, entity.Name, cancellationToken);
        if (bindings.Count > 0)
        {
            return Problems.Conflict($"Role binding(s) {string.Join(", ", bindings.Select(name => $"'{name}'"))} cover route '{route}'; change their routes or delete them first.");
        }

        db.Routes.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RouteToolsResponse>, ProblemHttpResult>> ListRouteTools(
        string tenant, string route, ClaimsPrincipal user, TenantAccess access, AdminDbContext db, RouteToolsLister lister,
        IOptions<ProxyOptions> proxy, CancellationToken cancellationToken)
    {
        if (await access.FindAsync(Caller.From(user), tenant, cancellationToken) is not { } grant)
        {
            return Problems.NotFound("Tenant", tenant);
        }

        var entity = await RoutesWithTargets(db).AsNoTracking()
            .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        var (tools, errors) = await lister.ListAsync(RouteResources.ToMcpBackend(entity), cancellationToken);
        return TypedResults.Ok(new RouteToolsResponse(entity.Name, proxy.Value.EndpointFor(entity.Path), tools, errors));
    }

    private static IQueryable<GatewayRoute> RoutesWithTargets(AdminDbContext db) =>
        db.Routes.Include(route => route.Targets.OrderBy(target => target.Position)).ThenInclude(target => target.McpServer);

    private static async Task<(PrefixModeSetting Mode, List<McpServer> Servers)> ValidateBodyAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, string path, List<string>? targets, string? prefixMode,
        CancellationToken cancellationToken)
    {
        Validation.RoutePath(errors, tenant.Name, path);
        var mode = Validation.PrefixMode(errors, prefixMode);
        var servers = new List<McpServer>();
        if (targets is null || targets.Count == 0)
        {
            errors["targets"] = ["must name at least one MCP server of the tenant."];
            return (mode ?? PrefixModeSetting.Conditional, servers);
        }

        if (targets.Distinct(StringComparer.Ordinal).Count() != targets.Count)
        {
            errors["targets"] = ["must not name a server twice."];
            return (mode ?? PrefixModeSetting.Conditional, servers);
        }

        var known = await db.McpServers.Where(server => server.TenantId == tenant.Id && targets.Contains(server.Name)).ToListAsync(cancellationToken);
        var unknown = targets.Where(name => known.All(server => server.Name != name)).ToList();
        if (unknown.Count > 0)
        {
            errors["targets"] = [$"unknown MCP server(s) in tenant '{tenant.Name}': {string.Join(", ", unknown.Select(name => $"'{name}'"))}."];
        }

        servers.AddRange(targets.Select(name => known.FirstOrDefault(server => server.Name == name)).OfType<McpServer>());
        return (mode ?? PrefixModeSetting.Conditional, servers);
    }

    private static RouteResponse ToResponse(GatewayRoute route, ProxyOptions proxy) => new(
        route.Name,
        route.Path,
        [.. route.Targets.OrderBy(target => target.Position).Select(target => target.McpServer!.Name)],
        Validation.ToText(route.PrefixMode),
        Validation.ToText(route.FailureMode),
        route.TargetTimeoutMs,
        Validation.ToText(route.ToolPinning),
        proxy.EndpointFor(route.Path),
        route.CreatedAt,
        route.UpdatedAt,
        route.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "mcp", null, null, [], [], [], [], [], null, null, false, null);
}
