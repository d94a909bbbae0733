using System.Text.Json;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>A tenant's security and traffic policies, attached to the tenant, a route, an MCP server or an agent.</summary>
internal static class PoliciesApi
{
    public const string Precedence =
        "Precedence: for each route-level kind — caller side (jwt-auth, mcp-authentication, api-key-auth, ext-authz, authorization, "
        + "mcp-authorization, a2a-authorization) and traffic (request-headers, response-headers, redirect, url-rewrite, direct-response, cors, timeouts, "
        + "retry, mirrors, local-rate-limit, rate-limit) — a route's own policy replaces the tenant's. For each backend kind "
        + "(backend-auth, backend-tls), an MCP server's or agent's policy replaces the route's, which replaces the tenant's (an HTTP "
        + "route's destinations take the route's, else the tenant's). A kind is attached at most once per tenant, route, server or agent, "
        + "and only where it acts: a route-level kind on a route kind it does nothing on is refused, and a tenant's reaches only the routes it acts on.";

    /// <summary>The policy the path names.</summary>
    private static readonly TenantItem s_policy = new("Policy", "policy", (db, tenantId, name, cancellationToken) =>
        db.Policies.AnyAsync(policy => policy.TenantId == tenantId && policy.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapPoliciesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("").WithTags("Policies");
        api.MapGet("/policies", ListPolicies).WithName("ListPolicies").WithSummary("The tenant's policies").WithDescription(Precedence);
        api.MapPost("/policies", CreatePolicy).WithName("CreatePolicy")
            .WithSummary("Attach a policy to the tenant, a route, an MCP server or an agent (tenant admins and above)").WithDescription(Precedence)
            .RequireTenantRole(TenantRole.Admin, "create policies (tenant admins and above)");
        api.MapGet("/policies/{policy}", GetPolicy).WithName("GetPolicy").WithSummary("One policy");
        api.MapPut("/policies/{policy}", UpdatePolicy).WithName("UpdatePolicy")
            .WithSummary("Change a policy (tenant admins and above; honours If-Match)").WithDescription(Precedence)
            .RequireTenantRole(TenantRole.Admin, "change policies (tenant admins and above)", s_policy);
        api.MapDelete("/policies/{policy}", DeletePolicy).WithName("DeletePolicy").WithSummary("Delete a policy (tenant admins and above)")
            .RequireTenantRole(TenantRole.Admin, "delete policies (tenant admins and above)", s_policy);
        api.MapGet("/routes/{route}/effective-policies", GetEffectivePolicies).WithName("GetEffectivePolicies")
            .WithSummary("The policies that apply to a route after precedence, each with the policy it came from (secrets as references only)")
            .WithDescription(Precedence);
        return endpoints;
    }

    internal static async Task<Ok<List<PolicyResponse>>> ListPolicies(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var policies = await db.Policies.AsNoTracking().Where(policy => policy.TenantId == grant.Tenant.Id)
            .OrderBy(policy => policy.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(policies.Select(ToResponse).ToList());
    }

    internal static async Task<Results<Created<PolicyResponse>, ValidationProblem, ProblemHttpResult>> CreatePolicy(
        string tenant, CreatePolicyRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        var draft = await ValidateAsync(errors, db, egress, grant.Tenant, request.Kind, request.Description, request.TargetRef, request.Spec, cancellationToken);
        if (errors.Count > 0 || draft is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Policies.AnyAsync(policy => policy.TenantId == grant.Tenant.Id && policy.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a policy named '{request.Name}'.");
        }

        if (await AttachedAlreadyAsync(db, grant.Tenant.Id, draft, except: null, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        var now = time.GetUtcNow();
        var policy = new Policy
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Kind = draft.Kind.Name,
            Description = request.Description,
            TargetKind = draft.TargetKind,
            TargetName = draft.TargetName,
            Spec = ProtoJson.Format(draft.Spec),
            SecretRefs = draft.SecretRefs,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Policies.Add(policy);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"A policy named '{request.Name}', or a {draft.Kind.Name} policy on {Describe(draft.TargetKind, draft.TargetName)}, already exists.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/policies/{policy.Name}", ToResponse(policy));
    }

    private static async Task<Results<Ok<PolicyResponse>, ProblemHttpResult>> GetPolicy(
        string policy, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Policies.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == policy, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Policy", policy);
        }

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<Ok<PolicyResponse>, ValidationProblem, ProblemHttpResult>> UpdatePolicy(
        string policy, UpdatePolicyRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, UserTokenVault vault, HttpContext context,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var entity = await db.Policies.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == policy, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Policy", policy);
        }

        var errors = Validation.Errors();
        var draft = await ValidateAsync(errors, db, egress, grant.Tenant, request.Kind ?? entity.Kind, request.Description, request.TargetRef, request.Spec, cancellationToken);
        if (errors.Count > 0 || draft is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        if (await AttachedAlreadyAsync(db, grant.Tenant.Id, draft, except: entity.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        var before = ParsedPolicy.From(entity)?.Spec;
        if (UserConnections.NoLongerServe(before, (entity.TargetKind, entity.TargetName), draft.Spec, (draft.TargetKind, draft.TargetName)))
        {
            // Users' tokens are the old authorization server's, or its client's: they are no use to the new one, and are
            // revoked at the old one once this change is saved.
            await vault.ForgetAsync(grant.Tenant.Id, entity.Name, (before as BackendAuth)?.UserOauth, cancellationToken);
        }

        entity.Kind = draft.Kind.Name;
        entity.Description = request.Description;
        entity.TargetKind = draft.TargetKind;
        entity.TargetName = draft.TargetName;
        entity.Spec = ProtoJson.Format(draft.Spec);
        entity.SecretRefs = draft.SecretRefs;
        entity.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"A {draft.Kind.Name} policy on {Describe(draft.TargetKind, draft.TargetName)} already exists.");
        }

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicy(
        string policy, TenantGrant grant, AdminDbContext db, UserTokenVault vault, CancellationToken cancellationToken)
    {
        var entity = await db.Policies.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == policy, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Policy", policy);
        }

        db.Policies.Remove(entity);
        await vault.ForgetAsync(grant.Tenant.Id, entity.Name, (ParsedPolicy.From(entity)?.Spec as BackendAuth)?.UserOauth, cancellationToken);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<EffectivePoliciesResponse>, ProblemHttpResult>> GetEffectivePolicies(
        string route, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var entity = await db.Routes.AsNoTracking()
            .Include(candidate => candidate.Agent)
            .Include(candidate => candidate.Targets).ThenInclude(target => target.McpServer)
            .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == route, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Route", route);
        }

        var security = await TenantSecurity.LoadAsync(db, grant.Tenant.Id, time.GetUtcNow(), cancellationToken);
        var effective = EffectivePolicyResolver.Resolve(security, entity);
        return TypedResults.Ok(new EffectivePoliciesResponse(
            entity.Name,
            [.. effective.Route.Select(ToResponse)],
            [.. effective.Targets.Select(target => new EffectiveTargetPoliciesResponse(
                target.Target, [.. new[] { target.Auth, target.Tls }.OfType<EffectivePolicy>().Select(ToResponse)]))])
        {
            Ignored = [.. effective.Ignored.Select(ignored => new IgnoredPolicyResponse(ignored.Kind, ignored.Source.Entity.Name, ignored.Reason))],
        });
    }

    /// <summary>What a valid request describes: the kind, where it attaches, and its spec.</summary>
    private sealed record PolicyDraft(PolicyKind Kind, string TargetKind, string TargetName, IMessage Spec, List<string> SecretRefs);

    private static async Task<PolicyDraft?> ValidateAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, EgressGuard egress, Tenant tenant, string? kindName, string? description,
        PolicyTargetRef? targetRef, JsonElement? spec, CancellationToken cancellationToken)
    {
        Validation.Description(errors, description);
        var kind = PolicyKinds.Find(kindName);
        if (kind is null)
        {
            errors["kind"] = [$"must be one of {PolicyKinds.KnownNames}."];
        }

        var (targetKind, targetName) = await ValidateTargetAsync(errors, db, tenant, kind, targetRef, cancellationToken);
        if (kind is null)
        {
            return null;
        }

        if (spec is not { ValueKind: JsonValueKind.Object } json)
        {
            errors["spec"] = [$"is required: the policy's {kind.Message} as a JSON object."];
            return null;
        }

        var problems = new List<ConfigError>();
        var message = kind.Parse(json, "spec", problems);
        if (problems.Count == 0)
        {
            kind.Validate(message, "spec", SecretSources.SecretRef, problems);
            if (message is ApiKeyAuthentication { Keys.Count: > 0 })
            {
                problems.Add(new ConfigError("spec.keys",
                    "must be empty: the tenant's API keys are issued through /api/v1/tenants/{tenant}/api-keys (hashed, each scoped to routes) and added by the gateway"));
            }
        }

        foreach (var problem in problems)
        {
            Validation.Add(errors, problem.Field.Length == 0 ? "spec" : problem.Field, problem.Message + ".");
        }

        if (problems.Count > 0)
        {
            return null;
        }

        var references = PolicyValidator.Secrets(message, "spec")
            .Where(secret => secret.Value.SourceCase == SecretValue.SourceOneofCase.SecretRef)
            .ToList();
        var names = references.Select(secret => secret.Value.SecretRef).Distinct(StringComparer.Ordinal).ToList();
        var existing = await db.Secrets.Where(secret => secret.TenantId == tenant.Id && names.Contains(secret.Name))
            .Select(secret => secret.Name).ToListAsync(cancellationToken);
        foreach (var (path, secret) in references.Where(secret => !existing.Contains(secret.Value.SecretRef)))
        {
            Validation.Add(errors, $"{path}.secretRef",
                $"names no secret of tenant '{tenant.Name}': create it first with PUT /api/v1/tenants/{tenant.Name}/secrets/{secret.SecretRef}.");
        }

        if (!tenant.AllowProxyIdentity)
        {
            foreach (var path in PolicyValidator.ProxyIdentityUses(message, "spec"))
            {
                Validation.Add(errors, path,
                    $"the proxy's own cloud identity is not allowed for tenant '{tenant.Name}': give a service account key, or ask a platform admin to allow it (PUT /api/v1/tenants/{tenant.Name} with allowProxyIdentity).");
            }
        }

        if (message is BackendAuth { UserOauth: not null } && targetKind is not null && targetKind != PolicyTargets.McpServer)
        {
            // Attached to a route or the tenant it would reach every server of the route: each user's token goes only
            // to the one server they authorized.
            Validation.Add(errors, "targetRef",
                "a backend-auth policy with userOauth attaches to one MCP server ({\"kind\": \"mcp-server\", \"name\": ...}): users' tokens go only to the server they authorized.");
        }

        await egress.CheckAsync(PolicyUrls.Of(message, "spec"), errors, cancellationToken);
        return targetKind is null ? null : new PolicyDraft(kind, targetKind, targetName!, message, names);
    }

    private static async Task<(string? Kind, string? Name)> ValidateTargetAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, PolicyKind? kind, PolicyTargetRef? targetRef, CancellationToken cancellationToken)
    {
        if (targetRef is null)
        {
            errors["targetRef"] = ["is required: {\"kind\": \"tenant\" | \"route\" | \"mcp-server\" | \"agent\" | \"llm-provider\", \"name\": \"...\"}."];
            return (null, null);
        }

        var allowed = kind?.Targets ?? [PolicyTargets.Tenant, PolicyTargets.Route, PolicyTargets.McpServer, PolicyTargets.Agent, PolicyTargets.LlmProvider];
        if (targetRef.Kind is null || !allowed.Contains(targetRef.Kind))
        {
            errors["targetRef.kind"] = [$"must be {string.Join(" or ", allowed.Select(target => $"'{target}'"))}{(kind is null ? "" : $" for {kind.Name} policies")}."];
            return (null, null);
        }

        switch (targetRef.Kind)
        {
            case PolicyTargets.Tenant:
                if (!string.IsNullOrEmpty(targetRef.Name) && targetRef.Name != tenant.Name)
                {
                    errors["targetRef.name"] = [$"must be the tenant's own name '{tenant.Name}', or left out."];
                    return (null, null);
                }

                return (PolicyTargets.Tenant, tenant.Name);
            case PolicyTargets.Route:
                var routeKind = await db.Routes.Where(route => route.TenantId == tenant.Id && route.Name == targetRef.Name)
                    .Select(route => route.Kind).SingleOrDefaultAsync(cancellationToken);
                if (routeKind is null)
                {
                    errors["targetRef.name"] = [$"there is no route '{targetRef.Name}' in tenant '{tenant.Name}'."];
                    return (null, null);
                }

                if (kind?.NoEffect(PolicyTargets.Route, routeKind) is { } noEffect)
                {
                    // Accepted, it would be ignored: a route's policy must do what it says.
                    errors["kind"] = [$"{noEffect}; route '{targetRef.Name}' is a {routeKind} route."];
                    return (null, null);
                }

                return (PolicyTargets.Route, targetRef.Name);
            case PolicyTargets.Agent:
                if (!await db.Agents.AnyAsync(agent => agent.TenantId == tenant.Id && agent.Name == targetRef.Name, cancellationToken))
                {
                    errors["targetRef.name"] = [$"there is no agent '{targetRef.Name}' in tenant '{tenant.Name}'."];
                    return (null, null);
                }

                return (PolicyTargets.Agent, targetRef.Name);
            case PolicyTargets.LlmProvider:
                if (!await db.LlmProviders.AnyAsync(provider => provider.TenantId == tenant.Id && provider.Name == targetRef.Name, cancellationToken))
                {
                    errors["targetRef.name"] = [$"there is no LLM provider '{targetRef.Name}' in tenant '{tenant.Name}'."];
                    return (null, null);
                }

                return (PolicyTargets.LlmProvider, targetRef.Name);
            default:
                var transport = await db.McpServers.Where(server => server.TenantId == tenant.Id && server.Name == targetRef.Name)
                    .Select(server => server.Transport).SingleOrDefaultAsync(cancellationToken);
                if (transport is null)
                {
                    errors["targetRef.name"] = [$"there is no MCP server '{targetRef.Name}' in tenant '{tenant.Name}'."];
                    return (null, null);
                }

                if (transport == Validation.StdioTransport)
                {
                    errors["targetRef.name"] = [$"'{targetRef.Name}' is a stdio server: a local process, with no HTTP connection to authenticate or secure."];
                    return (null, null);
                }

                return (PolicyTargets.McpServer, targetRef.Name);
        }
    }

    private static async Task<ProblemHttpResult?> AttachedAlreadyAsync(AdminDbContext db, Guid tenantId, PolicyDraft draft, Guid? except, CancellationToken cancellationToken)
    {
        var other = await db.Policies.AsNoTracking()
            .Where(policy => policy.TenantId == tenantId && policy.Kind == draft.Kind.Name && policy.TargetKind == draft.TargetKind
                && policy.TargetName == draft.TargetName && policy.Id != except)
            .Select(policy => policy.Name).FirstOrDefaultAsync(cancellationToken);
        return other is null
            ? null
            : Problems.Conflict($"{Capitalized(Describe(draft.TargetKind, draft.TargetName))} already has a {draft.Kind.Name} policy ('{other}'); change that one or delete it first.");
    }

    private static string Describe(string targetKind, string targetName) => targetKind switch
    {
        PolicyTargets.Tenant => $"tenant '{targetName}'",
        PolicyTargets.Route => $"route '{targetName}'",
        PolicyTargets.Agent => $"agent '{targetName}'",
        PolicyTargets.LlmProvider => $"LLM provider '{targetName}'",
        _ => $"MCP server '{targetName}'",
    };

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static PolicyResponse ToResponse(Policy policy) => new(
        policy.Name,
        policy.Kind,
        policy.Description,
        new PolicyTargetResponse(policy.TargetKind, policy.TargetName),
        policy.Spec,
        policy.SecretRefs,
        policy.CreatedAt,
        policy.UpdatedAt,
        policy.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static EffectivePolicyResponse ToResponse(EffectivePolicy part)
    {
        var spec = ProtoJson.Format(part.Spec);
        if (spec["keys"] is System.Text.Json.Nodes.JsonArray keys)
        {
            // The keys' hashes are what proxies need, not people.
            foreach (var key in keys.OfType<System.Text.Json.Nodes.JsonObject>())
            {
                key.Remove("sha256");
            }
        }

        return new EffectivePolicyResponse(
            part.Kind,
            part.Source?.Entity.Name,
            part.Source is { } source ? new PolicyTargetResponse(source.Entity.TargetKind, source.Entity.TargetName) : null,
            spec,
            part.RoleBindings);
    }
}
