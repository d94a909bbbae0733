namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Key">The model, API key name ("(no key)" for other callers), provider, route or subject.</param>
/// <param name="Points">One per bucket.</param>
public sealed record LlmUsageGroup(string Key, LlmUsageTotals Totals, IReadOnlyList<LlmUsageTotals> Points);
