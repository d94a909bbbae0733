using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Secrets;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's secrets: values its policies reference by name (<c>{"secretRef": "name"}</c>). Write-only: they are
/// encrypted at rest, never returned, never written to the audit log, and reach only the proxies' routes whose
/// policies use them.
/// </summary>
internal static class SecretsApi
{
    private const int MaxValueLength = 65_536;

    /// <summary>The secret the path names.</summary>
    private static readonly TenantItem s_secret = new("Secret", "secret", (db, tenantId, name, cancellationToken) =>
        db.Secrets.AnyAsync(secret => secret.TenantId == tenantId && secret.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/secrets").WithTags("Secrets");
        api.MapGet("/", ListSecrets).WithName("ListSecrets").WithSummary("The tenant's secrets, without their values, each with the policies that use it");
        api.MapGet("/{secret}", GetSecret).WithName("GetSecret").WithSummary("One secret, without its value");
        api.MapPut("/{secret}", PutSecret).WithName("PutSecret")
            .WithSummary("Create or replace a secret (developers and above; honours If-Match); the routes that use it are pushed to proxies")
            .RequireTenantRole(TenantRole.Developer, "write secrets (developers and above)");
        api.MapDelete("/{secret}", DeleteSecret).WithName("DeleteSecret").WithSummary("Delete a secret no policy references")
            .RequireTenantRole(TenantRole.Developer, "delete secrets (developers and above)", s_secret);
        return endpoints;
    }

    internal static async Task<Ok<List<SecretResponse>>> ListSecrets(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var secrets = await db.Secrets.AsNoTracking().Where(secret => secret.TenantId == grant.Tenant.Id)
            .OrderBy(secret => secret.Name).ToListAsync(cancellationToken);
        var usedBy = await SecretUsage.ByTenantAsync(db, grant.Tenant.Id, cancellationToken);
        return TypedResults.Ok(secrets.Select(secret => ToResponse(secret, usedBy.GetValueOrDefault(secret.Name) ?? [])).ToList());
    }

    private static async Task<Results<Ok<SecretResponse>, ProblemHttpResult>> GetSecret(
        string secret, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Secrets.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == secret, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Secret", secret);
        }

        return TypedResults.Ok(ToResponse(entity, await SecretUsage.OfAsync(db, grant.Tenant.Id, secret, cancellationToken)));
    }

    internal static async Task<Results<Created<SecretResponse>, Ok<SecretResponse>, ValidationProblem, ProblemHttpResult>> PutSecret(
        string tenant, string secret, PutSecretRequest request, TenantGrant grant, AdminDbContext db, SecretProtector protector, HttpContext context,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", secret);
        if (string.IsNullOrEmpty(request.Value))
        {
            errors["value"] = ["is required: the secret itself."];
        }
        else if (request.Value.Length > MaxValueLength)
        {
            errors["value"] = [$"must be at most {MaxValueLength} characters."];
        }

        Validation.Description(errors, request.Description);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var entity = await db.Secrets.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == secret, cancellationToken);
        if (entity is not null && ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        var now = time.GetUtcNow();
        var created = entity is null;
        if (entity is null)
        {
            entity = new Secret
            {
                Id = Guid.CreateVersion7(),
                TenantId = grant.Tenant.Id,
                Name = secret,
                Ciphertext = [],
                KeyId = protector.CurrentKeyId,
                CreatedAt = now,
            };
            db.Secrets.Add(entity);
        }

        entity.Description = request.Description;
        entity.Ciphertext = protector.Encrypt(grant.Tenant.Id, secret, request.Value!);
        entity.KeyId = protector.CurrentKeyId;
        entity.UpdatedAt = now;
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Secret '{secret}' was created by another request at the same time; read it and retry.");
        }

        var response = ToResponse(entity, await SecretUsage.OfAsync(db, grant.Tenant.Id, secret, cancellationToken));
        return created
            ? TypedResults.Created($"/api/v1/tenants/{tenant}/secrets/{secret}", response)
            : TypedResults.Ok(response);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSecret(
        string secret, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.Secrets.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == secret, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Secret", secret);
        }

        var usedBy = await SecretUsage.OfAsync(db, grant.Tenant.Id, secret, cancellationToken);
        if (usedBy.Count > 0)
        {
            return Problems.Conflict($"Secret '{secret}' is referenced by polic{(usedBy.Count == 1 ? "y" : "ies")} {string.Join(", ", usedBy.Select(name => $"'{name}'"))}; change or delete them first.");
        }

        db.Secrets.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static SecretResponse ToResponse(Secret secret, IReadOnlyList<string> usedBy) => new(
        secret.Name,
        secret.Description,
        secret.CreatedAt,
        secret.UpdatedAt,
        secret.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        usedBy);
}
