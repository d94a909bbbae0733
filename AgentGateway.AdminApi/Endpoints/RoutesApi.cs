using System.Security.Claims;
using AgentGateway.AdminApi.ControlPlane.Xds;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Hosts;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Mcp;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Routes;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Policies.Kinds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>A tenant's routes: client-facing endpoints that federate its MCP servers, forward HTTP, expose its agents or its LLM providers.</summary>
internal static class RoutesApi
{
    /// <summary>The route the path names.</summary>
    private static readonly TenantItem s_route = new("Route", "route", (db, tenantId, name, cancellationToken) =>
        db.Routes.AnyAsync(route => route.TenantId == tenantId && route.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapRoutesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/routes").WithTags("Routes");
        api.MapGet("/", ListRoutes).WithName("ListRoutes").WithSummary("The tenant's routes");
        api.MapPost("/", CreateRoute).WithName("CreateRoute")
            .WithSummary("Create a route: MCP (federates MCP servers), HTTP (forwards to destinations), A2A (exposes an agent) or LLM (in front of LLM providers)")
            .RequireTenantRole(TenantRole.Developer, "create routes (developers and above)");
        api.MapGet("/{route}", GetRoute).WithName("GetRoute").WithSummary("One route");
        api.MapPut("/{route}", UpdateRoute).WithName("UpdateRoute").WithSummary("Change a route (honours If-Match)")
            .RequireTenantRole(TenantRole.Developer, "change routes (developers and above)", s_route);
        api.MapDelete("/{route}", DeleteRoute).WithName("DeleteRoute").WithSummary("Delete a route")
            .RequireTenantRole(TenantRole.Developer, "delete routes (developers and above)", s_route);
        api.MapGet("/{route}/tools", ListRouteTools).WithName("ListRouteTools").WithSummary("The tools the route exposes, listed live from its targets");
        return endpoints;
    }

    internal static async Task<Ok<List<RouteResponse>>> ListRoutes(
        TenantGrant grant, AdminDbContext db, IOptions<ProxyOptions> proxy, RouteStatuses statuses, CancellationToken cancellationToken)
    {
        var routes = await RoutesWithTargets(db).Where(route => route.TenantId == grant.Tenant.Id)
            .OrderBy(route => route.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(routes.Select(route => ToResponse(route, grant.Tenant.Name, proxy.Value, statuses)).ToList());
    }

    internal static async Task<Results<Created<RouteResponse>, ValidationProblem, ProblemHttpResult>> CreateRoute(
        string tenant, CreateRouteRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, EgressGuard egress,
        IOptions<ProxyOptions> proxy, RouteStatuses statuses, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        var definition = RouteDefinitions.Build(errors, tenant, request.Name, new RouteDefinitions.Fields(
            request.Kind, request.Path, request.PathPrefix, request.PathRegex, request.Hosts, request.Methods, request.Headers, request.Query,
            request.Destinations, RouteDefinitions.Enabled(request.ActiveHealthCheck), RouteDefinitions.Enabled(request.PassiveHealthCheck), request.PreserveHost,
            request.Providers, request.Models), await HostClaims.GrantsOfAsync(db, grant.Tenant, cancellationToken));
        var (mode, servers, agent) = await ValidateBackendAsync(errors, db, egress, grant.Tenant, definition, request.Targets, request.PrefixMode, request.Agent, cancellationToken);
        var failureMode = Validation.FailureMode(errors, request.FailureMode);
        var toolPinning = Validation.ToolPinning(errors, request.ToolPinning);
        Validation.TargetTimeout(errors, request.TargetTimeoutMs);
        if (errors.Count > 0 || definition is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Routes.AnyAsync(route => route.TenantId == grant.Tenant.Id && route.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a route named '{request.Name}'.");
        }

        var now = time.GetUtcNow();
        if (await MatchConflictAsync(db, grant.Tenant, definition, except: null, proxy.Value, Caller.From(user).Username, now, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        var route = new GatewayRoute
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            MatchKey = definition.MatchKey,
            PrefixMode = mode,
            FailureMode = failureMode!.Value,
            TargetTimeoutMs = request.TargetTimeoutMs,
            ToolPinning = toolPinning!.Value,
            CreatedAt = now,
            UpdatedAt = now,
            AgentId = agent?.Id,
            Agent = agent,
            Targets = [.. servers.Select((server, index) => new RouteTarget { McpServerId = server.Id, McpServer = server, Position = index })],
        };
        RouteDefinitions.Apply(route, definition);
        db.Routes.Add(route);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"A route named '{request.Name}', or one taking the same requests ({Describe(definition.Match)}), already exists.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/routes/{route.Name}", ToResponse(route, grant.Tenant.Name, proxy.Value, statuses));
    }

    private static async Task<Results<Ok<RouteResponse>, ProblemHttpResult>> GetRoute(
        string route, TenantGrant grant, AdminDbContext db, IOptions<ProxyOptions> proxy, RouteStatuses statuses,
        CancellationToken cancellationToken)
    {
        var entity = await RoutesWithTargets(db).SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        return TypedResults.Ok(ToResponse(entity, grant.Tenant.Name, proxy.Value, statuses));
    }

    internal static async Task<Results<Ok<RouteResponse>, ValidationProblem, ProblemHttpResult>> UpdateRoute(
        string tenant, string route, UpdateRouteRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, EgressGuard egress,
        IOptions<ProxyOptions> proxy, RouteStatuses statuses, HttpContext context, TimeProvider time, CancellationToken cancellationToken)
    {
        var entity = await RoutesWithTargets(db).SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        var errors = Validation.Errors();
        var fields = Merge(RouteDefinitions.FieldsOf(entity), request);
        await using var transaction = await db.BeginSerializedAsync(cancellationToken);
        var definition = RouteDefinitions.Build(errors, tenant, entity.Name, fields, await HostClaims.GrantsOfAsync(db, grant.Tenant, cancellationToken));
        var agentName = request.Agent ?? (fields.Kind == RouteKinds.A2a ? entity.Agent?.Name : null);
        var (mode, servers, agent) = await ValidateBackendAsync(errors, db, egress, grant.Tenant, definition, request.Targets, request.PrefixMode, agentName, cancellationToken);
        var failureMode = Validation.FailureMode(errors, request.FailureMode);
        // Left out, the setting stays: clients that do not know it do not turn pinning back on or off.
        var toolPinning = request.ToolPinning is null ? entity.ToolPinning : Validation.ToolPinning(errors, request.ToolPinning);
        Validation.TargetTimeout(errors, request.TargetTimeoutMs);
        if (errors.Count > 0 || definition is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        if (definition.Kind != entity.Kind
            && await PolicyAttachments.WithoutEffectOnAsync(db, grant.Tenant.Id, entity.Name, definition.Kind, cancellationToken) is { Count: > 0 } idle)
        {
            return Problems.Conflict(
                $"Route '{route}' cannot become an {definition.Kind} route while these policies are attached to it, as they would have no effect on it: "
                + $"{string.Join(", ", idle.Select(policy => $"'{policy.Policy}' ({policy.Reason})"))}. Delete them or attach them elsewhere first.");
        }

        var now = time.GetUtcNow();
        if (await MatchConflictAsync(db, grant.Tenant, definition, except: entity.Id, proxy.Value, Caller.From(user).Username, now, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        RouteDefinitions.Apply(entity, definition);
        entity.PrefixMode = mode;
        entity.FailureMode = failureMode!.Value;
        entity.TargetTimeoutMs = request.TargetTimeoutMs;
        entity.ToolPinning = toolPinning!.Value;
        entity.AgentId = agent?.Id;
        entity.Agent = agent;
        entity.UpdatedAt = now;
        db.RouteTargets.RemoveRange(entity.Targets);
        entity.Targets = [.. servers.Select((server, index) => new RouteTarget { RouteId = entity.Id, McpServerId = server.Id, McpServer = server, Position = index })];
        // The route row itself must change with its targets so that its version (the ETag) moves on.
        db.Entry(entity).Property(candidate => candidate.UpdatedAt).IsModified = true;
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Another route already takes the same requests ({Describe(definition.Match)}).");
        }

        return TypedResults.Ok(ToResponse(entity, grant.Tenant.Name, proxy.Value, statuses));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteRoute(
        string route, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Routes.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        var policies = await PolicyAttachments.AttachedToAsync(db, grant.Tenant.Id, PolicyTargets.Route, entity.Name, cancellationToken);
        if (policies.Count > 0)
        {
            return Problems.Conflict($"Route '{route}' has polic{(policies.Count == 1 ? "y" : "ies")} {string.Join(", ", policies.Select(name => $"'{name}'"))} attached; delete them or attach them elsewhere first.");
        }

        var keys = await RouteDependents.ApiKeysAsync(db, grant.Tenant.Id, entity.Name, cancellationToken);
        if (keys.Count > 0)
        {
            return Problems.Conflict($"API key(s) {string.Join(", ", keys.Select(name => $"'{name}'"))} are scoped to route '{route}'; change their routes or revoke them first.");
        }

        var bindings = await RouteDependents.RoleBindingsAsync(db, grant.Tenant.Id, entity.Name, cancellationToken);
        if (bindings.Count > 0)
        {
            return Problems.Conflict($"Role binding(s) {string.Join(", ", bindings.Select(name => $"'{name}'"))} cover route '{route}'; change their routes or delete them first.");
        }

        db.Routes.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RouteToolsResponse>, ProblemHttpResult>> ListRouteTools(
        string route, TenantGrant grant, AdminDbContext db, RouteToolsLister lister, IOptions<ProxyOptions> proxy, RouteStatuses statuses,
        CancellationToken cancellationToken)
    {
        var entity = await RoutesWithTargets(db).AsNoTracking()
            .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        if (entity.Kind != RouteKinds.Mcp || entity.Path is null)
        {
            return Problems.Conflict($"Route '{route}' is an {entity.Kind.ToUpperInvariant()} route: only MCP routes have tools.");
        }

        var (tools, errors) = await lister.ListAsync(RouteResources.ToMcpBackend(entity), cancellationToken);
        return TypedResults.Ok(new RouteToolsResponse(entity.Name, proxy.Value.EndpointFor(entity.Path), tools, errors));
    }

    private static IQueryable<GatewayRoute> RoutesWithTargets(AdminDbContext db) =>
        db.Routes.Include(route => route.Agent).Include(route => route.Targets.OrderBy(target => target.Position)).ThenInclude(target => target.McpServer);

    /// <summary>An update's fields: what the request leaves out (null) stays as stored, except what belongs to another kind.</summary>
    private static RouteDefinitions.Fields Merge(RouteDefinitions.Fields stored, UpdateRouteRequest request)
    {
        var kind = request.Kind ?? stored.Kind;
        var newPath = !string.IsNullOrEmpty(request.Path) || !string.IsNullOrEmpty(request.PathPrefix) || !string.IsNullOrEmpty(request.PathRegex);
        var sameKind = kind == stored.Kind;
        return new RouteDefinitions.Fields(
            kind,
            newPath ? request.Path : stored.Path,
            newPath ? request.PathPrefix : sameKind ? stored.PathPrefix : null,
            newPath ? request.PathRegex : sameKind ? stored.PathRegex : null,
            request.Hosts ?? stored.Hosts,
            request.Methods ?? stored.Methods,
            request.Headers ?? stored.Headers,
            request.Query ?? stored.Query,
            request.Destinations ?? (sameKind ? stored.Destinations : null),
            request.ActiveHealthCheck is null ? sameKind ? stored.ActiveHealthCheck : null : RouteDefinitions.Enabled(request.ActiveHealthCheck),
            request.PassiveHealthCheck is null ? sameKind ? stored.PassiveHealthCheck : null : RouteDefinitions.Enabled(request.PassiveHealthCheck),
            request.PreserveHost ?? (sameKind ? stored.PreserveHost : null),
            request.Providers ?? (sameKind ? stored.Providers : null),
            request.Models ?? (sameKind ? stored.Models : null));
    }

    /// <summary>
    /// The kind's backend: an MCP route's servers, an A2A route's agent, an HTTP route's destinations checked
    /// against the egress policy; fields of another kind are refused.
    /// </summary>
    private static async Task<(PrefixModeSetting Mode, List<McpServer> Servers, Agent? Agent)> ValidateBackendAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, EgressGuard egress, Tenant tenant, RouteDefinition? definition,
        List<string>? targets, string? prefixMode, string? agentName, CancellationToken cancellationToken)
    {
        var mode = Validation.PrefixMode(errors, prefixMode) ?? PrefixModeSetting.Conditional;
        var servers = new List<McpServer>();
        Agent? agent = null;
        switch (definition?.Kind)
        {
            case RouteKinds.Mcp:
                servers = await ValidateTargetsAsync(errors, db, tenant, targets, cancellationToken);
                break;
            case RouteKinds.Http:
                if (targets is { Count: > 0 })
                {
                    errors["targets"] = ["is for MCP routes only; an HTTP route forwards to its destinations."];
                }

                var urls = definition.Http!.Destinations.Select((destination, index) => ($"destinations[{index}].url", destination.Url))
                    .Where(url => !errors.ContainsKey(url.Item1)).ToList();
                await egress.CheckAsync(urls, errors, cancellationToken);
                break;
            case RouteKinds.A2a:
                if (targets is { Count: > 0 })
                {
                    errors["targets"] = ["is for MCP routes only; an A2A route exposes its agent."];
                }

                if (string.IsNullOrEmpty(agentName))
                {
                    errors["agent"] = ["is required for A2A routes: the name of an agent of the tenant (see /agents)."];
                    break;
                }

                agent = await db.Agents.SingleOrDefaultAsync(candidate => candidate.TenantId == tenant.Id && candidate.Name == agentName, cancellationToken);
                if (agent is null)
                {
                    errors["agent"] = [$"there is no agent '{agentName}' in tenant '{tenant.Name}': register it first with POST /api/v1/tenants/{tenant.Name}/agents."];
                }

                break;
            case RouteKinds.Llm:
                if (targets is { Count: > 0 })
                {
                    errors["targets"] = ["is for MCP routes only; an LLM route serves from its providers."];
                }

                await ValidateProvidersAsync(errors, db, tenant, definition.Llm!, cancellationToken);
                break;
        }

        if (definition is not null && definition.Kind != RouteKinds.A2a && !string.IsNullOrEmpty(agentName))
        {
            errors["agent"] = ["is for A2A routes (kind 'a2a') only."];
        }

        return (mode, servers, agent);
    }

    /// <summary>An LLM route's providers must be in the tenant's catalog.</summary>
    private static async Task ValidateProvidersAsync(Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, AgentGateway.Contracts.V1.LlmBackend llm, CancellationToken cancellationToken)
    {
        var names = llm.Providers.Select(provider => provider.Name).ToList();
        var known = await db.LlmProviders.Where(provider => provider.TenantId == tenant.Id && names.Contains(provider.Name))
            .Select(provider => provider.Name).ToListAsync(cancellationToken);
        var unknown = names.Except(known, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 && !errors.ContainsKey("providers"))
        {
            errors["providers"] = [$"unknown LLM provider(s) in tenant '{tenant.Name}': {string.Join(", ", unknown.Select(name => $"'{name}'"))}; register them first with POST /api/v1/tenants/{tenant.Name}/llm-providers."];
        }
    }

    private static async Task<List<McpServer>> ValidateTargetsAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, List<string>? targets, CancellationToken cancellationToken)
    {
        var servers = new List<McpServer>();
        if (targets is null || targets.Count == 0)
        {
            errors["targets"] = ["must name at least one MCP server of the tenant."];
            return servers;
        }

        if (targets.Distinct(StringComparer.Ordinal).Count() != targets.Count)
        {
            errors["targets"] = ["must not name a server twice."];
            return servers;
        }

        var known = await db.McpServers.Where(server => server.TenantId == tenant.Id && targets.Contains(server.Name)).ToListAsync(cancellationToken);
        var unknown = targets.Where(name => known.All(server => server.Name != name)).ToList();
        if (unknown.Count > 0)
        {
            errors["targets"] = [$"unknown MCP server(s) in tenant '{tenant.Name}': {string.Join(", ", unknown.Select(name => $"'{name}'"))}."];
        }

        servers.AddRange(targets.Select(name => known.FirstOrDefault(server => server.Name == name)).OfType<McpServer>());
        return servers;
    }

    /// <summary>
    /// A 409 when another route already takes the same requests (the same match), or when a host of the route
    /// overlaps one another tenant holds (hosts belong to one tenant); otherwise the hosts the tenant does not hold yet
    /// are claimed for it with the route. Runs inside the route's serialized transaction.
    /// </summary>
    private static async Task<ProblemHttpResult?> MatchConflictAsync(
        AdminDbContext db, Tenant tenant, RouteDefinition definition, Guid? except, ProxyOptions proxy, string caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = definition.MatchKey;
        if (await db.Routes.AnyAsync(route => route.MatchKey == key && route.Id != except, cancellationToken))
        {
            var match = definition.Match;
            return match.Path.Length > 0 && match.Hosts.Count + match.Methods.Count + match.Headers.Count + match.Query.Count == 0
                ? Problems.Conflict($"The path '{match.Path}' is already used by another route.")
                : Problems.Conflict($"Another route already takes the same requests ({Describe(match)}).");
        }

        return await HostClaims.ClaimAsync(db, tenant, [.. definition.Match.Hosts], proxy, caller, now, cancellationToken) is { } refused
            ? refused.Conflict
                ? Problems.Conflict(refused.Message)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "One or more validation errors occurred.", detail: refused.Message,
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["hosts"] = [refused.Message] } })
            : null;
    }

    private static string Describe(AgentGateway.Contracts.V1.RouteMatch match)
    {
        var path = match.Path.Length > 0 ? $"path '{match.Path}'" : match.PathPrefix.Length > 0 ? $"pathPrefix '{match.PathPrefix}'" : $"pathRegex '{match.PathRegex}'";
        return match.Hosts.Count == 0 ? path : $"{path} on {string.Join(", ", match.Hosts)}";
    }

    private static RouteResponse ToResponse(GatewayRoute route, string tenant, ProxyOptions proxy, RouteStatuses statuses)
    {
        var definition = RouteDefinitions.Of(route);
        var match = definition.Match;
        var http = definition.Http;
        var llm = definition.Llm;
        var endpointPath = route.Path ?? route.PathPrefix;
        return new RouteResponse(
            route.Name,
            route.Path,
            [.. route.Targets.OrderBy(target => target.Position).Select(target => target.McpServer!.Name)],
            Validation.ToText(route.PrefixMode),
            Validation.ToText(route.FailureMode),
            route.TargetTimeoutMs,
            Validation.ToText(route.ToolPinning),
            endpointPath is null ? null : proxy.EndpointFor(endpointPath),
            route.CreatedAt,
            route.UpdatedAt,
            route.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            route.Kind,
            route.PathPrefix,
            route.PathRegex,
            [.. match.Hosts],
            [.. match.Methods],
            [.. match.Headers.Select(RouteDefinitions.ToCondition)],
            [.. match.Query.Select(RouteDefinitions.ToCondition)],
            http is null ? [] : [.. http.Destinations.Select(RouteDefinitions.ToDestination)],
            (http?.ActiveHealthCheck ?? llm?.ActiveHealthCheck) is { } active ? RouteDefinitions.ToActive(active) : null,
            (http?.PassiveHealthCheck ?? llm?.PassiveHealthCheck) is { } passive ? RouteDefinitions.ToPassive(passive) : null,
            http?.PreserveHost ?? false,
            route.Agent?.Name,
            llm is null ? [] : [.. llm.Providers.Select(provider => provider.Name)],
            llm is null ? [] : [.. llm.Models.Select(RouteDefinitions.ToModel)],
            statuses.Of(tenant, route.Name));
    }
}
