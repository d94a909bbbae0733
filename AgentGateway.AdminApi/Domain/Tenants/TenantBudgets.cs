using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Tenant = AgentGateway.AdminApi.Data.Entities.Tenant;

namespace AgentGateway.AdminApi.Domain.Tenants;

/// <summary>
/// A tenant's LLM budget: a spend, tokens or both over a calendar period or a rolling window, counted across all its
/// routes and keys from the usage proxies report. Once reached, every LLM route of the tenant refuses requests until
/// the period ends or enough use leaves the window; proxies learn it with their routes, so no request waits on the
/// database.
/// </summary>
internal static class TenantBudgets
{
    /// <summary>The budget of a request as stored (proto JSON), or null to have none; errors under <c>llmBudget</c>.</summary>
    public static JsonObject? Build(Dictionary<string, string[]> errors, ApiKeyBudget? budget)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (budget is null)
        {
            return null;
        }

        var message = LlmBudgets.ToMessage(budget);
        var problems = new List<ConfigError>();
        PolicyValidator.Validate(message, "llmBudget", problems);
        foreach (var problem in problems)
        {
            Validation.Add(errors, problem.Field, problem.Message + ".");
        }

        return ProtoJson.Format(message);
    }

    public static LlmBudget? Parse(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.LlmBudget is null ? null : ProtoJson.Parse<LlmBudget>(tenant.LlmBudget, string.Empty, []);
    }

    /// <summary>The tenant's use in its budget's period or window (null without a budget), with its exhaustion brought up to date; true when that changed.</summary>
    public static async Task<(BudgetState? State, bool Changed)> EvaluateAsync(AdminDbContext db, Tenant tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        var state = await SpentAsync(db, tenant, now, cancellationToken);
        var changed = tenant.LlmBudgetExhaustedUntil != state?.ExhaustedUntil;
        tenant.LlmBudgetExhaustedUntil = state?.ExhaustedUntil;
        return (state, changed);
    }

    /// <summary>The tenant's use in its budget's current period or window; null when it has no budget.</summary>
    public static async Task<BudgetState?> SpentAsync(AdminDbContext db, Tenant tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        return Parse(tenant) is { } budget ? await LlmBudgets.Evaluate(db.LlmUsage.Where(entry => entry.TenantId == tenant.Id), budget, now, cancellationToken) : null;
    }
}
