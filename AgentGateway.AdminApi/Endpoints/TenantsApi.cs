using System.Security.Claims;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Connections;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Domain.Policies;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts.V1;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>Tenants, their members, and who the caller is.</summary>
internal static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").WithTags("Tenants");
        api.MapGet("/me", GetMe).WithName("GetMe").WithSummary("Who the caller is and the tenants they belong to");

        var tenants = api.MapGroup("/tenants").WithETags();
        tenants.MapGet("/", ListTenants).WithName("ListTenants").WithSummary("Tenants the caller can see");
        tenants.MapPost("/", CreateTenant).WithName("CreateTenant").WithSummary("Create a tenant (platform admins)")
            .RequirePlatformAdmin("create tenants (platform admins only)");

        var tenant = endpoints.MapTenantGroup("").WithTags("Tenants");
        tenant.MapGet("", GetTenant).WithName("GetTenant").WithSummary("One tenant");
        tenant.MapPut("", UpdateTenant).WithName("UpdateTenant").WithSummary("Change a tenant's display name and whether its call records carry tool arguments")
            .RequireTenantRole(TenantRole.Admin, "change this tenant (admins and owners only)");
        tenant.MapDelete("", DeleteTenant).WithName("DeleteTenant").WithSummary("Delete a tenant and everything in it (platform admins)")
            .RequirePlatformAdmin("delete tenants (platform admins only)");

        tenant.MapGet("/members", ListMembers).WithName("ListMembers").WithSummary("Members of a tenant");
        tenant.MapPut("/members/{username}", PutMember).WithName("PutMember")
            .WithSummary("Invite a user by name (bound to the first to sign in with it), or by sub:{subject}, or change a member's role")
            .RequireTenantRole(TenantRole.Admin, "manage members (admins and owners only)");
        tenant.MapDelete("/members/{username}", DeleteMember).WithName("DeleteMember").WithSummary("Remove a member, or leave (by name or sub:{subject})")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return endpoints;
    }

    private static async Task<Ok<MeResponse>> GetMe(ClaimsPrincipal user, AdminDbContext db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        await Memberships.BindAsync(db, caller, cancellationToken);
        var granted = caller.TokenTenantRoles.Keys.ToList();
        var subject = caller.Subject;
        var tenants = caller.IsPlatformAdmin
            ? await db.Tenants.OrderBy(tenant => tenant.Name)
                .Select(tenant => new { tenant.Name, tenant.DisplayName, Role = (TenantRole?)TenantRole.Owner }).ToListAsync(cancellationToken)
            : await db.Tenants.Where(tenant => granted.Contains(tenant.Name) || tenant.Members.Any(member => subject != null && member.Subject == subject))
                .OrderBy(tenant => tenant.Name)
                .Select(tenant => new
                {
                    tenant.Name,
                    tenant.DisplayName,
                    Role = tenant.Members.Where(member => subject != null && member.Subject == subject).Select(member => (TenantRole?)member.Role).FirstOrDefault(),
                })
                .ToListAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(
            caller.Username,
            caller.Email,
            caller.IsPlatformAdmin,
            [.. tenants.Select(tenant => new MeTenantResponse(tenant.Name, tenant.DisplayName, Validation.ToText(caller.IsPlatformAdmin ? TenantRole.Owner : caller.RoleIn(tenant.Name, tenant.Role)!.Value)))])
        {
            Subject = caller.Subject,
        });
    }

    private static async Task<Ok<List<TenantResponse>>> ListTenants(ClaimsPrincipal user, AdminDbContext db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        await Memberships.BindAsync(db, caller, cancellationToken);
        var granted = caller.TokenTenantRoles.Keys.ToList();
        var subject = caller.Subject;
        var query = caller.IsPlatformAdmin
            ? db.Tenants
            : db.Tenants.Where(tenant => granted.Contains(tenant.Name) || tenant.Members.Any(member => subject != null && member.Subject == subject));
        var tenants = await query.OrderBy(tenant => tenant.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(tenants.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<TenantResponse>, ValidationProblem, ProblemHttpResult>> CreateTenant(
        CreateTenantRequest request, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Name(errors, "name", request.Name);
        Validation.Required(errors, "displayName", request.DisplayName, 200);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Tenants.AnyAsync(tenant => tenant.Name == request.Name, cancellationToken))
        {
            return Problems.Conflict($"A tenant named '{request.Name}' already exists.");
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant { Id = Guid.CreateVersion7(), Name = request.Name!, DisplayName = request.DisplayName!.Trim(), CreatedAt = now, UpdatedAt = now };
        db.Tenants.Add(tenant);
        try
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
        {
            return Problems.Conflict($"A tenant named '{request.Name}' already exists.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant.Name}", ToResponse(tenant));
    }

    private static Ok<TenantResponse> GetTenant(TenantGrant grant)
    {
        return TypedResults.Ok(ToResponse(grant.Tenant));
    }

    internal static async Task<Results<Ok<TenantResponse>, ValidationProblem, ProblemHttpResult>> UpdateTenant(
        UpdateTenantRequest request, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, HttpContext context, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        Validation.Required(errors, "displayName", request.DisplayName, 200);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ETags.CheckIfMatch(context.Request, grant.Tenant.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }

        if (request.AllowProxyIdentity is { } allow && allow != grant.Tenant.AllowProxyIdentity)
        {
            if (!Caller.From(user).IsPlatformAdmin)
            {
                return Problems.Forbidden("let a tenant use the proxy's own cloud identity (platform admins only)");
            }

            if (!allow && await PolicyAttachments.UsingProxyIdentityAsync(db, grant.Tenant.Id, cancellationToken) is { Count: > 0 } users)
            {
                return Problems.Conflict($"Polic{(users.Count == 1 ? "y" : "ies")} {string.Join(", ", users.Select(name => $"'{name}'"))} use the proxy's own identity; change them first.");
            }

            grant.Tenant.AllowProxyIdentity = allow;
        }

        grant.Tenant.AuditArguments = request.AuditArguments ?? grant.Tenant.AuditArguments;
        grant.Tenant.DisplayName = request.DisplayName!.Trim();
        grant.Tenant.UpdatedAt = time.GetUtcNow();
        await db.SaveConfigChangesAsync(cancellationToken);

        return TypedResults.Ok(ToResponse(grant.Tenant));
    }

    private static async Task<NoContent> DeleteTenant(TenantGrant grant, AdminDbContext db, UserTokenVault vault, CancellationToken cancellationToken)
    {
        // Routes go first, in the same transaction: their targets hold on to the servers the tenant's delete removes.
        db.Routes.RemoveRange(await db.Routes.Where(route => route.TenantId == grant.Tenant.Id).ToListAsync(cancellationToken));
        // Users' tokens kept for the tenant's servers are revoked once it is gone.
        foreach (var policy in await db.Policies.AsNoTracking().Where(policy => policy.TenantId == grant.Tenant.Id).ToListAsync(cancellationToken))
        {
            if (ParsedPolicy.From(policy)?.Spec is BackendAuth { UserOauth: { } spec })
            {
                await vault.ForgetAsync(grant.Tenant.Id, policy.Name, spec, cancellationToken);
            }
        }

        db.Tenants.Remove(grant.Tenant);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<MemberResponse>>> ListMembers(TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var members = await db.TenantMembers.Where(member => member.TenantId == grant.Tenant.Id)
            .OrderBy(member => member.Username).ToListAsync(cancellationToken);
        return TypedResults.Ok(members.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> PutMember(
        string username, PutMemberRequest request, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var role = Validation.Role(errors, request.Role);
        Validation.Required(errors, "username", username, 256);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (role > grant.Role)
        {
            return Problems.Forbidden($"grant the role '{request.Role}', which is above your own");
        }

        var (member, ambiguous) = await FindMemberAsync(db, grant.Tenant.Id, username, cancellationToken);
        if (ambiguous)
        {
            return Problems.Conflict($"More than one member goes by '{username}'; name the one you mean as sub:{{subject}}.");
        }

        if (member is null)
        {
            var subject = SubjectOf(username);
            member = new TenantMember
            {
                Id = Guid.CreateVersion7(),
                TenantId = grant.Tenant.Id,
                Subject = subject,
                Username = username,
                Role = role!.Value,
                CreatedAt = time.GetUtcNow(),
            };
            db.TenantMembers.Add(member);
        }
        else
        {
            if (member.Role > grant.Role)
            {
                return Problems.Forbidden($"change the role of '{username}', which is above your own");
            }

            if (member.Role == TenantRole.Owner && role != TenantRole.Owner && await IsLastOwnerAsync(db, grant.Tenant.Id, cancellationToken))
            {
                return Problems.Conflict($"'{username}' is the tenant's last owner; make someone else owner first.");
            }

            member.Role = role!.Value;
        }

        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(member));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteMember(
        string username, ClaimsPrincipal user, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var (member, ambiguous) = await FindMemberAsync(db, grant.Tenant.Id, username, cancellationToken);
        if (ambiguous)
        {
            return Problems.Conflict($"More than one member goes by '{username}'; name the one you mean as sub:{{subject}}.");
        }

        // Anyone may leave; removing someone else takes an admin.
        var leaving = member is not null && member.Subject is not null && member.Subject == caller.Subject;
        if (!leaving && !grant.Allows(TenantRole.Admin))
        {
            return Problems.Forbidden("remove other members (admins and owners only)");
        }

        if (member is null)
        {
            return Problems.NotFound("Member", username);
        }

        if (!leaving && member.Role > grant.Role)
        {
            return Problems.Forbidden($"remove '{username}', whose role is above your own");
        }

        if (member.Role == TenantRole.Owner && await IsLastOwnerAsync(db, grant.Tenant.Id, cancellationToken))
        {
            return Problems.Conflict($"'{username}' is the tenant's last owner; make someone else owner first.");
        }

        db.TenantMembers.Remove(member);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The member a path names: <c>sub:{subject}</c> names a user exactly; a plain name the member shown by it, or the
    /// invitation pending for it. Ambiguous when two members go by the name (a user renamed, another took the name).
    /// </summary>
    private static async Task<(TenantMember? Member, bool Ambiguous)> FindMemberAsync(AdminDbContext db, Guid tenantId, string name, CancellationToken cancellationToken)
    {
        if (SubjectOf(name) is { } subject)
        {
            return (await db.TenantMembers.SingleOrDefaultAsync(candidate => candidate.TenantId == tenantId && candidate.Subject == subject, cancellationToken), false);
        }

        var named = await db.TenantMembers.Where(candidate => candidate.TenantId == tenantId && candidate.Username == name).ToListAsync(cancellationToken);
        return named.Count > 1 ? (null, true) : (named.SingleOrDefault(), false);
    }

    /// <summary>The subject a <c>sub:{subject}</c> name gives, or null for a plain name.</summary>
    private static string? SubjectOf(string name) => name.StartsWith(SubjectPrefix, StringComparison.Ordinal) && name.Length > SubjectPrefix.Length ? name[SubjectPrefix.Length..] : null;

    private const string SubjectPrefix = "sub:";

    private static async Task<bool> IsLastOwnerAsync(AdminDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        await db.TenantMembers.CountAsync(member => member.TenantId == tenantId && member.Role == TenantRole.Owner, cancellationToken) <= 1;

    private static TenantResponse ToResponse(Tenant tenant) =>
        new(tenant.Name, tenant.DisplayName, tenant.CreatedAt, tenant.UpdatedAt, tenant.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), tenant.AllowProxyIdentity, tenant.AuditArguments);

    private static MemberResponse ToResponse(TenantMember member) => new(member.Username, Validation.ToText(member.Role), member.CreatedAt)
    {
        Subject = member.Subject,
    };
}
