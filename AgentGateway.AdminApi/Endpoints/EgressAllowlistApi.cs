using System.Net;
using System.Security.Claims;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The egress allowlist (platform admins): the loopback, private and link-local addresses tenant URLs may reach
/// nonetheless. Checked when a URL is saved and sent to every proxy, which checks each connection.
/// </summary>
internal static class EgressAllowlistApi
{
    private const int MaxPorts = 64;

    public static IEndpointRouteBuilder MapEgressAllowlistApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1/egress-allowlist").WithTags("Egress allowlist");
        api.MapGet("", ListRules).WithName("ListEgressAllowRules").WithSummary("The addresses tenant URLs may reach although restricted (platform admins)")
            .RequirePlatformAdmin("read the egress allowlist (platform admins only)");
        api.MapPost("", CreateRule).WithName("CreateEgressAllowRule")
            .WithSummary("Allow an address range or host name, optionally on some ports only (platform admins); pushed to every proxy")
            .RequirePlatformAdmin("change the egress allowlist (platform admins only)");
        api.MapDelete("/{id:guid}", DeleteRule).WithName("DeleteEgressAllowRule").WithSummary("Remove an allow rule (platform admins)")
            .RequirePlatformAdmin("change the egress allowlist (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<List<EgressAllowRuleResponse>>> ListRules(AdminDbContext db, CancellationToken cancellationToken)
    {
        var rules = await db.EgressAllowRules.AsNoTracking().OrderBy(rule => rule.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(rules.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<EgressAllowRuleResponse>, ValidationProblem>> CreateRule(
        CreateEgressAllowRuleRequest request, ClaimsPrincipal user, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var errors = Validation.Errors();
        var ports = request.Ports ?? [];
        if (ports.Any(port => port is < 1 or > 65535) || ports.Count > MaxPorts)
        {
            errors["ports"] = [$"must be at most {MaxPorts} ports from 1 to 65535."];
        }

        var message = new AgentGateway.Contracts.V1.EgressAllowRule { Cidr = request.Cidr?.Trim() ?? string.Empty, Host = request.Host?.Trim() ?? string.Empty };
        var problems = new List<ConfigError>();
        PolicyValidator.Validate(message, string.Empty, problems);
        foreach (var problem in problems.Where(problem => problem.Field != "ports"))
        {
            Validation.Add(errors, problem.Field.Length == 0 ? "cidr" : problem.Field, problem.Message + ".");
        }

        Validation.Description(errors, request.Description);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rule = new EgressAllowRule
        {
            Id = Guid.CreateVersion7(),
            Cidr = message.Cidr.Length > 0 ? IPNetwork.Parse(message.Cidr).ToString() : null,
            Host = message.Host.Length > 0 ? message.Host.TrimEnd('.').ToLowerInvariant() : null,
            Ports = [.. ports.Distinct().Order()],
            Description = request.Description,
            CreatedBy = caller.Username,
            CreatedAt = time.GetUtcNow(),
        };
        db.EgressAllowRules.Add(rule);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/egress-allowlist/{rule.Id}", ToResponse(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(Guid id, AdminDbContext db, CancellationToken cancellationToken)
    {
        var rule = await db.EgressAllowRules.SingleOrDefaultAsync(candidate => candidate.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound("Egress allow rule", id.ToString());
        }

        db.EgressAllowRules.Remove(rule);
        await db.SaveConfigChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static EgressAllowRuleResponse ToResponse(EgressAllowRule rule) =>
        new(rule.Id, rule.Cidr, rule.Host, rule.Ports, rule.Description, rule.CreatedBy, rule.CreatedAt);
}
