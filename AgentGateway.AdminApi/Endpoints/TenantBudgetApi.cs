using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's LLM budget (<see cref="TenantBudgets"/>): its members read it with what was used; platform admins set it
/// and take it away, which takes effect at once against the use so far.
/// </summary>
internal static class TenantBudgetApi
{
    public static IEndpointRouteBuilder MapTenantBudgetApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/llm-budget").WithTags("Tenants");
        api.MapGet("", GetBudget).WithName("GetTenantLlmBudget").WithSummary("The tenant's LLM budget and its use in the current period or window");
        api.MapPut("", SetBudget).WithName("SetTenantLlmBudget")
            .WithSummary("Set the tenant's LLM budget: a spend (USD), tokens or both, per calendar period or rolling window (platform admins)")
            .RequirePlatformAdmin("set tenants' LLM budgets (platform admins only)");
        api.MapDelete("", DeleteBudget).WithName("DeleteTenantLlmBudget").WithSummary("Take the tenant's LLM budget away (platform admins)")
            .RequirePlatformAdmin("set tenants' LLM budgets (platform admins only)");
        return endpoints;
    }

    private static async Task<Ok<TenantBudgetResponse>> GetBudget(TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(ToResponse(grant.Tenant, await TenantBudgets.SpentAsync(db, grant.Tenant, now, cancellationToken), now));
    }

    private static async Task<Results<Ok<TenantBudgetResponse>, ValidationProblem>> SetBudget(
        ApiKeyBudget request, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var budget = TenantBudgets.Build(errors, request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await SaveAsync(grant, db, budget, time.GetUtcNow(), cancellationToken));
    }

    private static async Task<Ok<TenantBudgetResponse>> DeleteBudget(TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SaveAsync(grant, db, null, time.GetUtcNow(), cancellationToken));

    /// <summary>
    /// Stores the budget and brings its exhaustion up to date against the use so far (proxies learn it with the
    /// tenant's routes). When the proxies' usage reports move the tenant's exhaustion meanwhile, the group's
    /// <see cref="ChangedMeanwhileFilter"/> sets the budget again on the tenant as it is then.
    /// </summary>
    private static async Task<TenantBudgetResponse> SaveAsync(
        TenantGrant grant, AdminDbContext db, System.Text.Json.Nodes.JsonObject? budget, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tenant = grant.Tenant;
        tenant.LlmBudget = budget;
        tenant.UpdatedAt = now;
        var (state, _) = await TenantBudgets.EvaluateAsync(db, tenant, now, cancellationToken);
        await db.SaveConfigChangesAsync(cancellationToken);
        return ToResponse(tenant, state, now);
    }

    private static TenantBudgetResponse ToResponse(Data.Entities.Tenant tenant, BudgetState? state, DateTimeOffset now) => new(
        TenantBudgets.Parse(tenant) is { } budget ? LlmBudgets.ToResponse(budget) : null,
        state?.Spent ?? 0,
        state?.Tokens ?? 0,
        tenant.LlmBudgetExhaustedUntil > now ? tenant.LlmBudgetExhaustedUntil : null);
}
