using System.Security.Claims;
using System.Text.RegularExpressions;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's API keys: each shown once when made and stored as its SHA-256 only, scoped to some routes (or all),
/// with an optional expiry, revocable, and with the time a proxy last saw it used. Routes accept them when their
/// effective policies include api-key-auth.
/// </summary>
internal static partial class ApiKeysApi
{
    private const int MaxMetadata = 32;
    private const int MaxRoutes = 100;

    /// <summary>The API key the path names.</summary>
    private static readonly TenantItem s_key = new("API key", "apiKey", (db, tenantId, name, cancellationToken) =>
        db.ApiKeys.AnyAsync(key => key.TenantId == tenantId && key.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/api-keys").WithTags("API keys");
        api.MapGet("/", ListKeys).WithName("ListApiKeys").WithSummary("The tenant's API keys (never the keys themselves)");
        api.MapPost("/", CreateKey).WithName("CreateApiKey")
            .WithSummary("Make an API key (developers and above); the answer holds the key, shown this once only")
            .RequireTenantRole(TenantRole.Developer, "make API keys (developers and above)");
        api.MapGet("/{apiKey}", GetKey).WithName("GetApiKey").WithSummary("One API key, by name");
        api.MapPut("/{apiKey}", UpdateKey).WithName("UpdateApiKey")
            .WithSummary("Change a key's description, routes, metadata or expiry (developers and above; honours If-Match)")
            .RequireTenantRole(TenantRole.Developer, "change API keys (developers and above)", s_key);
        api.MapDelete("/{apiKey}", DeleteKey).WithName("DeleteApiKey").WithSummary("Delete an API key: it stops working at once")
            .RequireTenantRole(TenantRole.Developer, "delete API keys (developers and above)", s_key);
        api.MapPost("/{apiKey}/revoke", RevokeKey).WithName("RevokeApiKey").WithSummary("Revoke an API key: it stops working at once and stays listed")
            .RequireTenantRole(TenantRole.Developer, "revoke API keys (developers and above)", s_key);
        return endpoints;
    }

    private static async Task<Ok<List<ApiKeyResponse>>> ListKeys(TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking().Where(key => key.TenantId == grant.Tenant.Id).OrderBy(key => key.Name).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var shown = new List<ApiKeyResponse>(keys.Count);
        foreach (var key in keys)
        {
            shown.Add(ToResponse(key, now, await LlmBudgets.SpentAsync(db, key, now, cancellationToken)));
        }

        return TypedResults.Ok(shown);
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateKey(
        string tenant, CreateApiKeyRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var now = time.GetUtcNow();
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        await ValidateBodyAsync(errors, db, grant.Tenant, request.Description, request.Routes, request.Metadata, request.ExpiresAt, now, cancellationToken);
        var llm = LlmBudgets.Build(errors, request.Llm);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.ApiKeys.AnyAsync(key => key.TenantId == grant.Tenant.Id && key.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an API key named '{request.Name}'.");
        }

        var (secret, prefix, sha256) = ApiKeyMaterial.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Description = request.Description,
            Prefix = prefix,
            Sha256 = sha256,
            Routes = [.. (request.Routes ?? []).Order(StringComparer.Ordinal)],
            Metadata = request.Metadata ?? [],
            ExpiresAt = request.ExpiresAt,
            Llm = llm,
            CreatedBy = caller.Username,
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has an API key named '{request.Name}'.");
        }

        context.Response.Headers.CacheControl = "no-store";
        var shown = ToResponse(key, now, null);
        return TypedResults.Created($"/api/v1/tenants/{tenant}/api-keys/{key.Name}", new CreatedApiKeyResponse(
            secret, shown.Id, shown.Name, shown.Description, shown.Prefix, shown.Routes, shown.Metadata, shown.ExpiresAt, shown.Status,
            shown.CreatedBy, shown.CreatedAt, shown.Version, shown.Llm));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> GetKey(
        string apiKey, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == apiKey, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key", apiKey);
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok(ToResponse(key, now, await LlmBudgets.SpentAsync(db, key, now, cancellationToken)));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ValidationProblem, ProblemHttpResult>> UpdateKey(
        string apiKey, UpdateApiKeyRequest request, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == apiKey, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key", apiKey);
        }

        if (key.RevokedAt is not null)
        {
            return Problems.Conflict($"API key '{apiKey}' is revoked; make a new one instead.");
        }

        var now = time.GetUtcNow();
        var errors = Validation.Errors();
        await ValidateBodyAsync(errors, db, grant.Tenant, request.Description, request.Routes, request.Metadata, request.ExpiresAt, now, cancellationToken);
        var llm = LlmBudgets.Build(errors, request.Llm);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, key.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        key.Description = request.Description;
        key.Routes = [.. (request.Routes ?? []).Order(StringComparer.Ordinal)];
        key.Metadata = request.Metadata ?? [];
        key.ExpiresAt = request.ExpiresAt;
        key.Llm = llm;
        // A budget raised (or lowered) against this period's spend takes effect at once.
        var (spent, _) = await LlmBudgets.EvaluateAsync(db, key, now, cancellationToken);
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(key, now, spent));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteKey(
        string apiKey, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == apiKey, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key", apiKey);
        }

        db.ApiKeys.Remove(key);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> RevokeKey(
        string apiKey, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == apiKey, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("API key", apiKey);
        }

        var now = time.GetUtcNow();
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            await db.SaveConfigChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(ToResponse(key, now, await LlmBudgets.SpentAsync(db, key, now, cancellationToken)));
    }

    private static async Task ValidateBodyAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, string? description, List<string>? routes,
        Dictionary<string, string>? metadata, DateTimeOffset? expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Validation.Description(errors, description);
        await Validation.RoutesAsync(errors, db, tenant, routes, MaxRoutes, cancellationToken);

        if (metadata is { Count: > MaxMetadata })
        {
            errors["metadata"] = [$"must have at most {MaxMetadata} entries."];
        }

        foreach (var (name, value) in metadata ?? [])
        {
            if (!MetadataName().IsMatch(name))
            {
                errors[$"metadata.{name}"] = ["must be a name of 1-64 letters, digits, '_', '.' or '-'."];
            }
            else if (value is null || value.Length > 256 || value.Any(char.IsControl))
            {
                errors[$"metadata.{name}"] = ["must be a value of at most 256 characters without control characters."];
            }
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            errors["expiresAt"] = ["must be in the future (or left out for a key that does not expire)."];
        }
    }

    private static string Status(ApiKey key, DateTimeOffset now) =>
        key.RevokedAt is not null ? "revoked" : key.ExpiresAt <= now ? "expired" : "active";

    private static ApiKeyResponse ToResponse(ApiKey key, DateTimeOffset now, BudgetState? spent) => new(
        key.Id,
        key.Name,
        key.Description,
        key.Prefix,
        key.Routes,
        key.Metadata,
        key.ExpiresAt,
        key.RevokedAt,
        key.LastUsedAt,
        Status(key, now),
        key.CreatedBy,
        key.CreatedAt,
        key.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LlmBudgets.ToResponse(key),
        spent?.Spent,
        key.LlmBudgetExhaustedUntil > now ? key.LlmBudgetExhaustedUntil : null,
        spent?.Tokens);

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataName();
}
