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
/// A tenant's role bindings: a role given to subjects on some routes (or all). Each rule of the role becomes, on each
/// covered route, the MCP authorization rule "(the caller is a subject) &amp;&amp; (the role's rule)".
/// </summary>
internal static class RoleBindingsApi
{
    private const int MaxSubjects = 20;
    private const int MaxRoutes = 100;
    private const int MaxValueLength = 256;
    private const int MaxExpressionLength = 2048;

    /// <summary>The role binding the path names.</summary>
    private static readonly TenantItem s_binding = new("Role binding", "binding", (db, tenantId, name, cancellationToken) =>
        db.RoleBindings.AnyAsync(binding => binding.TenantId == tenantId && binding.Name == name, cancellationToken));

    public static IEndpointRouteBuilder MapRoleBindingsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/role-bindings").WithTags("Authorization roles");
        api.MapGet("/", ListBindings).WithName("ListRoleBindings").WithSummary("The tenant's role bindings");
        api.MapPost("/", CreateBinding).WithName("CreateRoleBinding")
            .WithSummary("Give a role to users, groups, realm roles, claims, API keys or expressions on some routes (tenant admins and above)")
            .RequireTenantRole(TenantRole.Admin, "bind roles (tenant admins and above)");
        api.MapGet("/{binding}", GetBinding).WithName("GetRoleBinding").WithSummary("One role binding");
        api.MapPut("/{binding}", UpdateBinding).WithName("UpdateRoleBinding").WithSummary("Change a role binding (tenant admins and above; honours If-Match)")
            .RequireTenantRole(TenantRole.Admin, "change role bindings (tenant admins and above)", s_binding);
        api.MapDelete("/{binding}", DeleteBinding).WithName("DeleteRoleBinding").WithSummary("Delete a role binding")
            .RequireTenantRole(TenantRole.Admin, "delete role bindings (tenant admins and above)", s_binding);
        return endpoints;
    }

    internal static async Task<Ok<List<RoleBindingResponse>>> ListBindings(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var bindings = await db.RoleBindings.AsNoTracking().Include(binding => binding.Role)
            .Where(binding => binding.TenantId == grant.Tenant.Id).OrderBy(binding => binding.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(bindings.Select(ToResponse).ToList());
    }

    internal static async Task<Results<Created<RoleBindingResponse>, ValidationProblem, ProblemHttpResult>> CreateBinding(
        string tenant, CreateRoleBindingRequest request, TenantGrant grant, AdminDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        var (role, subjects) = await ValidateBodyAsync(errors, db, grant.Tenant, request.Description, request.Role, request.Subjects, request.Routes, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.RoleBindings.AnyAsync(binding => binding.TenantId == grant.Tenant.Id && binding.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a role binding named '{request.Name}'.");
        }

        var now = time.GetUtcNow();
        var binding = new RoleBinding
        {
            Id = Guid.CreateVersion7(),
            TenantId = grant.Tenant.Id,
            Name = request.Name!,
            Description = request.Description,
            RoleId = role!.Id,
            Role = role,
            Subjects = subjects,
            Routes = [.. (request.Routes ?? []).Order(StringComparer.Ordinal)],
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.RoleBindings.Add(binding);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"Tenant '{tenant}' already has a role binding named '{request.Name}'.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant}/role-bindings/{binding.Name}", ToResponse(binding));
    }

    private static async Task<Results<Ok<RoleBindingResponse>, ProblemHttpResult>> GetBinding(
        string binding, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.RoleBindings.AsNoTracking().Include(candidate => candidate.Role)
            .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == binding, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role binding", binding);
        }

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<Ok<RoleBindingResponse>, ValidationProblem, ProblemHttpResult>> UpdateBinding(
        string binding, UpdateRoleBindingRequest request, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var entity = await db.RoleBindings.Include(candidate => candidate.Role)
            .SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == binding, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role binding", binding);
        }

        var errors = Validation.Errors();
        var (role, subjects) = await ValidateBodyAsync(errors, db, grant.Tenant, request.Description, request.Role, request.Subjects, request.Routes, cancellationToken);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, entity.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        entity.Description = request.Description;
        entity.RoleId = role!.Id;
        entity.Role = role;
        entity.Subjects = subjects;
        entity.Routes = [.. (request.Routes ?? []).Order(StringComparer.Ordinal)];
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(entity));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteBinding(
        string binding, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var entity = await db.RoleBindings.SingleOrDefaultAsync(candidate => candidate.TenantId == grant.Tenant.Id && candidate.Name == binding, cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound("Role binding", binding);
        }

        db.RoleBindings.Remove(entity);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<(AuthorizationRole? Role, List<BindingSubject> Subjects)> ValidateBodyAsync(
        Dictionary<string, string[]> errors, AdminDbContext db, Tenant tenant, string? description, string? roleName,
        List<BindingSubjectDto>? subjects, List<string>? routes, CancellationToken cancellationToken)
    {
        Validation.Description(errors, description);
        await Validation.RoutesAsync(errors, db, tenant, routes, MaxRoutes, cancellationToken);
        var role = roleName is null ? null
            : await db.AuthorizationRoles.SingleOrDefaultAsync(candidate => candidate.TenantId == tenant.Id && candidate.Name == roleName, cancellationToken);
        if (role is null)
        {
            errors["role"] = [$"must name a role of tenant '{tenant.Name}'{(roleName is null ? "" : $"; there is no role '{roleName}'")}."];
        }

        var valid = new List<BindingSubject>();
        if (subjects is null || subjects.Count == 0 || subjects.Count > MaxSubjects)
        {
            errors["subjects"] = [$"must hold 1-{MaxSubjects} subjects, e.g. {{\"kind\": \"group\", \"value\": \"developers\"}}."];
            return (role, valid);
        }

        for (var index = 0; index < subjects.Count; index++)
        {
            if (ValidateSubject(errors, $"subjects[{index}]", subjects[index]) is { } subject)
            {
                valid.Add(subject);
            }
        }

        if (role is not null && valid.Count == subjects.Count)
        {
            // The rules proxies run are the subjects and the role's rules together: they must be valid as a whole.
            for (var index = 0; index < role.Rules.Count; index++)
            {
                if (CelExpressions.Validate(SubjectExpressions.Rule(valid, role.Rules[index])) is { } problem)
                {
                    Validation.Add(errors, "subjects", $"combined with rule {index} of role '{role.Name}', {problem}.");
                }
            }
        }

        return (role, valid);
    }

    private static BindingSubject? ValidateSubject(Dictionary<string, string[]> errors, string field, BindingSubjectDto? subject)
    {
        if (subject is null)
        {
            errors[field] = ["is required: {\"kind\": \"user\" | \"group\" | \"role\" | \"claim\" | \"api-key\" | \"expression\", \"value\": \"...\"}."];
            return null;
        }

        var count = errors.Count;
        if (subject.Kind is null || !SubjectKinds.All.Contains(subject.Kind))
        {
            errors[$"{field}.kind"] = [$"must be one of {string.Join(", ", SubjectKinds.All.Select(kind => $"'{kind}'"))}."];
        }

        var maxLength = subject.Kind == SubjectKinds.Expression ? MaxExpressionLength : MaxValueLength;
        if (string.IsNullOrWhiteSpace(subject.Value) || subject.Value.Length > maxLength || !CelText.IsWellFormed(subject.Value))
        {
            errors[$"{field}.value"] = [$"is required: text of at most {maxLength} characters."];
        }
        else if (subject.Kind == SubjectKinds.Expression && CelExpressions.Validate(subject.Value) is { } problem)
        {
            errors[$"{field}.value"] = [problem + "."];
        }

        if (subject.Kind == SubjectKinds.Claim)
        {
            if (string.IsNullOrWhiteSpace(subject.Claim) || subject.Claim.Length > MaxValueLength || !CelText.IsWellFormed(subject.Claim))
            {
                errors[$"{field}.claim"] = [$"is required for claim subjects: the claim's name (or a dotted path), at most {MaxValueLength} characters."];
            }
        }
        else if (!string.IsNullOrEmpty(subject.Claim))
        {
            errors[$"{field}.claim"] = ["is only for subjects of kind 'claim'."];
        }

        return errors.Count == count ? new BindingSubject(subject.Kind!, subject.Value!, subject.Kind == SubjectKinds.Claim ? subject.Claim : null) : null;
    }

    private static RoleBindingResponse ToResponse(RoleBinding binding) => new(
        binding.Name,
        binding.Description,
        binding.Role!.Name,
        [.. binding.Subjects.Select(subject => new BindingSubjectDto(subject.Kind, subject.Value, subject.Claim))],
        binding.Routes,
        binding.CreatedAt,
        binding.UpdatedAt,
        binding.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
