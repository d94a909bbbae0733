using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.AdminApi.Domain.LlmProviders;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>A tenant's catalog of LLM providers (OpenAI-compatible and Anthropic APIs); LLM routes serve models from them.</summary>
internal static class LlmProvidersApi
{
    /// <summary>The LLM provider the path names.</summary>
    private static readonly TenantItem s_provider = new("LLM provider", "provider", (db, tenantId, name, cancellationToken) =>
        db.LlmProviders.AnyAsync(provider => provider.TenantId == tenantId && provider.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapLlmProvidersApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/llm-providers").WithTags("LLM providers");
        api.MapGet("/", ListProviders).WithName("ListLlmProviders").WithSummary("The tenant's LLM providers, with the routes that use them");
        api.MapPost("/", CreateProvider).WithName("CreateLlmProvider").WithSummary("Register an LLM provider (its API key: a backend-auth policy attached to it)")
            .RequireTenantRole(TenantRole.Developer, "register LLM providers (developers and above)");
        api.MapGet("/{provider}", GetProvider).WithName("GetLlmProvider").WithSummary("One LLM provider");
        api.MapPut("/{provider}", UpdateProvider).WithName("UpdateLlmProvider").WithSummary("Change an LLM provider (honours If-Match)")
            .RequireTenantRole(TenantRole.Developer, "change LLM providers (developers and above)", s_provider);
        api.MapDelete("/{provider}", DeleteProvider).WithName("DeleteLlmProvider").WithSummary("Delete an LLM provider no route uses")
            .RequireTenantRole(TenantRole.Developer, "delete LLM providers (developers and above)", s_provider);
        return endpoints;
    }

    internal static async Task<Ok<List<LlmProviderResponse>>> ListProviders(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var providers = await db.LlmProviders.AsNoTracking().Where(provider => provider.TenantId == grant.Tenant.Id)
            .OrderBy(provider => provider.Name).ToListAsync(cancellationToken);
        var routes = await LlmProviderRoutes.RoutesByProviderAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(providers.Select(provider => ToResponse(provider, routes[provider.Name])).ToList());
    }

    internal static async Task<Results<Created<LlmProviderResponse>, ValidationProblem, ProblemHttpResult>> CreateProvider(
        string tenant, CreateLlmProviderRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        await ValidateBodyAsync(errors, egress, request.Kind, request.Url, request.TimeoutMs, request.Description, request.ApiVersion, request.NativeResponses, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.LlmProviders.AnyAsync(provider => provider.TenantId == grant.Tenant.Id && provider.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an LLM provider named '{request.Name}'.");
        }

        var now = time.GetUtcNow();
        var provider = new LlmProvider
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Kind = request.Kind!,
            Url = request.Url!,
            TimeoutMs = request.TimeoutMs,
            Description = request.Description,
            ApiVersion = NullIfEmpty(request.ApiVersion),
            NativeResponses = request.NativeResponses ?? false,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.LlmProviders.Add(provider);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an LLM provider named '{request.Name}'.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/llm-providers/{provider.Name}", ToResponse(provider, []));
    }

    private static async Task<Results<Ok<LlmProviderResponse>, ProblemHttpResult>> GetProvider(
        string provider, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.LlmProviders.AsNoTracking(), grant, provider, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("LLM provider", provider);
        }

        var routes = await LlmProviderRoutes.RoutesByProviderAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(ToResponse(entity, routes[entity.Name]));
    }

    internal static async Task<Results<Ok<LlmProviderResponse>, ValidationProblem, ProblemHttpResult>> UpdateProvider(
        string provider, UpdateLlmProviderRequest request, TenantGrant grant, AdminDbContext db, EgressGuard egress, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.LlmProviders, grant, provider, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("LLM provider", provider);
        }

        var errors = Validation.Errors();
        await ValidateBodyAsync(errors, egress, request.Kind, request.Url, request.TimeoutMs, request.Description, request.ApiVersion, request.NativeResponses, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        entity.Kind = request.Kind!;
        entity.Url = request.Url!;
        entity.TimeoutMs = request.TimeoutMs;
        entity.Description = request.Description;
        entity.ApiVersion = NullIfEmpty(request.ApiVersion);
        entity.NativeResponses = request.NativeResponses ?? false;
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveConfigChangesAsync(cancellationToken);

        var routes = await LlmProviderRoutes.RoutesByProviderAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(ToResponse(entity, routes[entity.Name]));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteProvider(
        string provider, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(db.LlmProviders, grant, provider, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("LLM provider", provider);
        }

        var routes = (await LlmProviderRoutes.RoutesByProviderAsync(db, grant.Tenant.Id, cancellationToken))[entity.Name].ToList();
        if (routes.Count > 0)
        {
            return Problems.Conflict($"LLM provider '{provider}' serves route(s) {string.Join(", ", routes.Select(name => $"'{name}'"))}; take it out of them first.");
        }

        var policies = await PolicyAttachments.AttachedToAsync(db, grant.Tenant.Id, PolicyTargets.LlmProvider, entity.Name, cancellationToken);
        if (policies.Count > 0)
        {
            return Problems.Conflict($"LLM provider '{provider}' has polic{(policies.Count == 1 ? "y" : "ies")} {string.Join(", ", policies.Select(name => $"'{name}'"))} attached; delete them or attach them elsewhere first.");
        }

        db.LlmProviders.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task ValidateBodyAsync(
        Dictionary<string, string[]> errors, EgressGuard egress, string? kind, string? url, int? timeoutMs, string? description, string? apiVersion,
        bool? nativeResponses, CancellationToken cancellationToken)
    {
        var providerKind = LlmProviderKinds.KindOf(kind);
        if (providerKind is null)
        {
            errors["kind"] = ["must be 'openai' (OpenAI's API, or a server that speaks it: Ollama, vLLM, Mistral, Groq, ...), 'azure-openai' (Azure OpenAI's deployments API), 'anthropic', 'gemini' (Google's Gemini API), 'bedrock' (AWS Bedrock's Converse API) or 'vertex-ai' (Google Vertex AI)."];
        }

        Validation.Url(errors, url);
        if (!errors.ContainsKey("url") && providerKind is not null)
        {
            // The proxy's own rules for a provider (no query or fragment, an api-version for Azure only), with the same messages as its YAML.
            var problems = new List<ConfigError>();
            RouteValidator.Validate(new V1.LlmProvider { Name = "provider", Url = url!, Kind = providerKind.Value, ApiVersion = apiVersion ?? string.Empty, NativeResponses = nativeResponses ?? false }, string.Empty, problems);
            foreach (var problem in problems)
            {
                Validation.Add(errors, problem.Field, problem.Message + ".");
            }
        }

        if (timeoutMs is < 1 or > 3_600_000)
        {
            errors["timeoutMs"] = ["must be between 1 and 3600000 milliseconds, or left out for the default (300000)."];
        }

        Validation.Description(errors, description);
        if (!errors.ContainsKey("url"))
        {
            await egress.CheckAsync([("url", url!)], errors, cancellationToken);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static Task<LlmProvider?> FindAsync(IQueryable<LlmProvider> providers, TenantGrant grant, string name, CancellationToken cancellationToken) =>
        providers.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == name, cancellationToken);

    private static LlmProviderResponse ToResponse(LlmProvider provider, IEnumerable<string> routes) => new(
        provider.Name,
        provider.Kind,
        provider.Url,
        provider.TimeoutMs,
        provider.Description,
        [.. routes],
        provider.ApiVersion,
        provider.NativeResponses,
        provider.CreatedAt,
        provider.UpdatedAt,
        provider.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
