namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <param name="Amount">In USD, more than 0.</param>
/// <param name="Period">'day', 'week' (from Monday) or 'month' (the default).</param>
public sealed record ApiKeyBudget(decimal? Amount, string? Period = null);
