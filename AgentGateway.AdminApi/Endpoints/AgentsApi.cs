using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Agents;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Policies.Kinds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>A tenant's catalog of A2A agents, each with what its agent card says; A2A routes expose them.</summary>
internal static class AgentsApi
{
    /// <summary>The agent the path names.</summary>
    private static readonly TenantItem s_agent = new("Agent", "agent", (db, tenantId, name, cancellationToken) =>
        db.Agents.AnyAsync(agent => agent.TenantId == tenantId && agent.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/agents").WithTags("Agents");
        api.MapGet("/", ListAgents).WithName("ListAgents").WithSummary("The tenant's A2A agents, with their skills");
        api.MapPost("/", CreateAgent).WithName("CreateAgent").WithSummary("Register an A2A agent (its card is fetched at once)")
            .RequireTenantRole(TenantRole.Developer, "register agents (developers and above)");
        api.MapGet("/{agent}", GetAgent).WithName("GetAgent").WithSummary("One agent");
        api.MapPut("/{agent}", UpdateAgent).WithName("UpdateAgent").WithSummary("Change an agent (honours If-Match; the card is fetched again)")
            .RequireTenantRole(TenantRole.Developer, "change agents (developers and above)", s_agent);
        api.MapDelete("/{agent}", DeleteAgent).WithName("DeleteAgent").WithSummary("Delete an agent no route uses")
            .RequireTenantRole(TenantRole.Developer, "delete agents (developers and above)", s_agent);
        api.MapPost("/{agent}/refresh", RefreshAgent).WithName("RefreshAgent")
            .WithSummary("Fetch the agent's card again; a card that cannot be fetched is recorded in cardError, the last good one kept")
            .RequireTenantRole(TenantRole.Developer, "refresh agents (developers and above)", s_agent);
        return endpoints;
    }

    internal static async Task<Ok<List<AgentResponse>>> ListAgents(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().Where(agent => agent.TenantId == grant.Tenant.Id).OrderBy(agent => agent.Name).ToListAsync(cancellationToken);
        var routes = await RoutesByAgentAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(agents.Select(agent => ToResponse(agent, routes[agent.Id])).ToList());
    }

    internal static async Task<Results<Created<AgentResponse>, ValidationProblem, ProblemHttpResult>> CreateAgent(
        string tenant, CreateAgentRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, AgentCardFetcher fetcher,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        await ValidateBodyAsync(errors, egress, request.Url, request.CardUrl, request.Description, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Agents.AnyAsync(agent => agent.TenantId == grant.Tenant.Id && agent.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an agent named '{request.Name}'.");
        }

        var (card, cardError) = await fetcher.FetchAsync(request.Url!, NullIfEmpty(request.CardUrl), cancellationToken);
        if (card is null)
        {
            errors[string.IsNullOrEmpty(request.CardUrl) ? "url" : "cardUrl"] = [$"the agent card could not be read: {cardError}."];
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var agent = new Agent
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Url = request.Url!,
            CardUrl = NullIfEmpty(request.CardUrl),
            Description = request.Description,
            Card = AgentCards.ToJson(card),
            CardFetchedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Agents.Add(agent);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an agent named '{request.Name}'.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/agents/{agent.Name}", ToResponse(agent, []));
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> GetAgent(
        string agent, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.Agents.AsNoTracking(), grant, agent, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Agent", agent);
        }

        return TypedResults.Ok(ToResponse(entity, await RoutesOfAsync(db, entity, cancellationToken)));
    }

    internal static async Task<Results<Ok<AgentResponse>, ValidationProblem, ProblemHttpResult>> UpdateAgent(
        string agent, UpdateAgentRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, AgentCardFetcher fetcher, HttpContext context,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.Agents, grant, agent, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Agent", agent);
        }

        var errors = Validation.Errors();
        await ValidateBodyAsync(errors, egress, request.Url, request.CardUrl, request.Description, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        var (card, cardError) = await fetcher.FetchAsync(request.Url!, NullIfEmpty(request.CardUrl), cancellationToken);
        if (card is null)
        {
            errors[string.IsNullOrEmpty(request.CardUrl) ? "url" : "cardUrl"] = [$"the agent card could not be read: {cardError}."];
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        entity.Url = request.Url!;
        entity.CardUrl = NullIfEmpty(request.CardUrl);
        entity.Description = request.Description;
        entity.Card = AgentCards.ToJson(card);
        entity.CardFetchedAt = now;
        entity.CardError = null;
        entity.UpdatedAt = now;
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(entity, await RoutesOfAsync(db, entity, cancellationToken)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAgent(
        string agent, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.Agents, grant, agent, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Agent", agent);
        }

        var routes = await RoutesOfAsync(db, entity, cancellationToken);
        if (routes.Count > 0)
        {
            return Problems.Conflict($"Agent '{agent}' is exposed by route(s) {string.Join(", ", routes.Select(name => $"'{name}'"))}; delete them or point them at another agent first.");
        }

        var policies = await PolicyAttachments.AttachedToAsync(db, grant.Tenant.Id, PolicyTargets.Agent, entity.Name, cancellationToken);
        if (policies.Count > 0)
        {
            return Problems.Conflict($"Agent '{agent}' has polic{(policies.Count == 1 ? "y" : "ies")} {string.Join(", ", policies.Select(name => $"'{name}'"))} attached; delete them or attach them elsewhere first.");
        }

        db.Agents.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> RefreshAgent(
        string agent, TenantGrant grant, AdminDbContext db, AgentCardFetcher fetcher, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.Agents, grant, agent, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Agent", agent);
        }

        var (card, cardError) = await fetcher.FetchAsync(entity.Url, entity.CardUrl, cancellationToken);
        var now = time.GetUtcNow();
        if (card is not null)
        {
            entity.Card = AgentCards.ToJson(card);
            entity.CardFetchedAt = now;
            entity.CardError = null;
        }
        else
        {
            // The last good card stays: the agent may only be briefly unreachable.
            entity.CardError = cardError is { Length: > 2000 } ? cardError[..2000] : cardError;
        }

        entity.UpdatedAt = now;
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(entity, await RoutesOfAsync(db, entity, cancellationToken)));
    }

    private static async Task ValidateBodyAsync(
        Dictionary<string, string[]> errors, EgressGuard egress, string? url, string? cardUrl, string? description, CancellationToken cancellationToken)
    {
        Validation.Url(errors, url);
        if (!string.IsNullOrEmpty(cardUrl))
        {
            var cardErrors = Validation.Errors();
            Validation.Url(cardErrors, cardUrl);
            if (cardErrors.TryGetValue("url", out var messages))
            {
                errors["cardUrl"] = messages;
            }
        }

        Validation.Description(errors, description);
        var urls = new List<(string, string)>();
        if (!errors.ContainsKey("url"))
        {
            urls.Add(("url", url!));
        }

        if (!string.IsNullOrEmpty(cardUrl) && !errors.ContainsKey("cardUrl"))
        {
            urls.Add(("cardUrl", cardUrl));
        }

        await egress.CheckAsync(urls, errors, cancellationToken);
    }

    private static Task<Agent?> FindAsync(IQueryable<Agent> agents, TenantGrant grant, string name, CancellationToken cancellationToken) =>
        agents.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == name, cancellationToken);

    private static Task<List<string>> RoutesOfAsync(AdminDbContext db, Agent agent, CancellationToken cancellationToken) =>
        db.Routes.Where(route => route.AgentId == agent.Id).OrderBy(route => route.Name).Select(route => route.Name).ToListAsync(cancellationToken);

    private static async Task<ILookup<Guid, string>> RoutesByAgentAsync(AdminDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var routes = await db.Routes.Where(route => route.TenantId == tenantId && route.AgentId != null).OrderBy(route => route.Name)
            .Select(route => new { AgentId = route.AgentId!.Value, route.Name }).ToListAsync(cancellationToken);
        return routes.ToLookup(route => route.AgentId, route => route.Name);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static AgentResponse ToResponse(Agent agent, IEnumerable<string> routes) => new(
        agent.Name,
        agent.Url,
        agent.CardUrl,
        agent.Description,
        AgentCards.FromJson(agent.Card),
        agent.CardFetchedAt,
        agent.CardError,
        [.. routes],
        agent.CreatedAt,
        agent.UpdatedAt,
        agent.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
