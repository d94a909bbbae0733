using AgentGateway.AdminApi.Domain.ApiKeys;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>What a tenant's LLM budget is, what it has used of it in the current period or window, and until when it is spent.</summary>
/// <param name="Budget">Null: the tenant has none.</param>
/// <param name="Spent">USD, of priced models.</param>
/// <param name="Tokens">Input and output tokens.</param>
/// <param name="ExhaustedUntil">While the budget is spent: until when its LLM routes refuse requests.</param>
public sealed record TenantBudgetResponse(ApiKeyBudget? Budget, decimal Spent, long Tokens, DateTimeOffset? ExhaustedUntil);
