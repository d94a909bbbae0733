using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.Policies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's authorization roles: what a role may do on MCP, as CEL rules. Role bindings give roles to callers on
/// routes; a route with any binding (or an mcp-authorization policy) denies whatever no rule allows.
/// </summary>
internal static class RolesApi
{
    public const int MaxRules = 50;

    /// <summary>The role the path names.</summary>
    private static readonly TenantItem s_role = new("Role", "role", (db, tenantId, name, cancellationToken) =>
        db.AuthorizationRoles.AnyAsync(role => role.TenantId == tenantId && role.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapRolesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/roles").WithTags("Authorization roles");
        api.MapGet("/", ListRoles).WithName("ListRoles").WithSummary("The tenant's authorization roles");
        api.MapPost("/", CreateRole).WithName("CreateRole").WithSummary("Define a role by CEL rules (tenant admins and above)")
            .RequireTenantRole(TenantRole.Admin, "define roles (tenant admins and above)");
        api.MapGet("/{role}", GetRole).WithName("GetRole").WithSummary("One role, with the bindings that give it");
        api.MapPut("/{role}", UpdateRole).WithName("UpdateRole").WithSummary("Change a role's rules (tenant admins and above; honours If-Match)")
            .RequireTenantRole(TenantRole.Admin, "change roles (tenant admins and above)", s_role);
        api.MapDelete("/{role}", DeleteRole).WithName("DeleteRole").WithSummary("Delete a role no binding gives")
            .RequireTenantRole(TenantRole.Admin, "delete roles (tenant admins and above)", s_role);
        return endpoints;
    }

    internal static async Task<Ok<List<RoleResponse>>> ListRoles(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var roles = await db.AuthorizationRoles.AsNoTracking().Where(role => role.TenantId == grant.Tenant.Id).OrderBy(role => role.Name).ToListAsync(cancellationToken);
        var bindings = await db.RoleBindings.AsNoTracking().Where(binding => binding.TenantId == grant.Tenant.Id)
            .OrderBy(binding => binding.Name).Select(binding => new { binding.RoleId, binding.Name }).ToListAsync(cancellationToken);
        return TypedResults.Ok(roles.Select(role => ToResponse(role, [.. bindings.Where(binding => binding.RoleId == role.Id).Select(binding => binding.Name)])).ToList());
    }

    internal static async Task<Results<Created<RoleResponse>, ValidationProblem, ProblemHttpResult>> CreateRole(
        string tenant, CreateRoleRequest request, TenantGrant grant, AdminDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        Validation.Description(errors, request.Description);
        ValidateRules(errors, request.Rules);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.AuthorizationRoles.AnyAsync(role => role.TenantId == grant.Tenant.Id && role.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a role named '{request.Name}'.");
        }

        var now = time.GetUtcNow();
        var role = new AuthorizationRole
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Description = request.Description,
            Rules = request.Rules!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AuthorizationRoles.Add(role);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a role named '{request.Name}'.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/roles/{role.Name}", ToResponse(role, []));
    }

    private static async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> GetRole(
        string role, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.AuthorizationRoles.AsNoTracking().SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == role, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role", role);
        }

        return TypedResults.Ok(ToResponse(entity, await UsedByAsync(db, entity.Id, cancellationToken)));
    }

    internal static async Task<Results<Ok<RoleResponse>, ValidationProblem, ProblemHttpResult>> UpdateRole(
        string role, UpdateRoleRequest request, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var entity = await db.AuthorizationRoles.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == role, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role", role);
        }

        var errors = Validation.Errors();
        Validation.Description(errors, request.Description);
        ValidateRules(errors, request.Rules);
        if (errors.Count == 0)
        {
            // Each binding of the role turns every rule into one the proxies run: those must be valid too.
            var bindings = await db.RoleBindings.AsNoTracking().Where(binding => binding.RoleId == entity.Id).ToListAsync(cancellationToken);
            foreach (var binding in bindings)
            {
                for (var index = 0; index < request.Rules!.Count; index++)
                {
                    if (CelExpressions.Validate(SubjectExpressions.Rule(binding.Subjects, request.Rules[index])) is { } problem)
                    {
                        Validation.Add(errors, $"rules[{index}]", $"combined with the subjects of role binding '{binding.Name}', {problem}.");
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        entity.Description = request.Description;
        entity.Rules = request.Rules!;
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(entity, await UsedByAsync(db, entity.Id, cancellationToken)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteRole(
        string role, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.AuthorizationRoles.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == role, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role", role);
        }

        var usedBy = await UsedByAsync(db, entity.Id, cancellationToken);
        if (usedBy.Count > 0)
        {
            return Problems.Conflict($"Role '{role}' is given by role binding(s) {string.Join(", ", usedBy.Select(name => $"'{name}'"))}; delete them or bind another role first.");
        }

        db.AuthorizationRoles.Remove(entity);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception is not DbUpdateConcurrencyException)
        {
            // A binding made meanwhile holds the role (a changed role instead starts the delete over: ChangedMeanwhileFilter).
            return Problems.Conflict($"Role '{role}' was bound by another request at the same time; read its bindings and retry.");
        }

        return TypedResults.NoContent();
    }

    private static void ValidateRules(Dictionary<string, string[]> errors, List<string>? rules)
    {
        if (rules is null || rules.Count == 0 || rules.Count > MaxRules)
        {
            errors["rules"] = [$"must hold 1-{MaxRules} CEL expressions, e.g. mcp.tool.name == \"list_notes\"."];
            return;
        }

        for (var index = 0; index < rules.Count; index++)
        {
            if (CelExpressions.Validate(rules[index]) is { } problem)
            {
                errors[$"rules[{index}]"] = [problem + "."];
            }
        }
    }

    private static Task<List<string>> UsedByAsync(AdminDbContext db, Guid roleId, CancellationToken cancellationToken) =>
        db.RoleBindings.Where(binding => binding.RoleId == roleId).OrderBy(binding => binding.Name).Select(binding => binding.Name).ToListAsync(cancellationToken);

    private static RoleResponse ToResponse(AuthorizationRole role, IReadOnlyList<string> usedBy) => new(
        role.Name,
        role.Description,
        role.Rules,
        usedBy,
        role.CreatedAt,
        role.UpdatedAt,
        role.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
