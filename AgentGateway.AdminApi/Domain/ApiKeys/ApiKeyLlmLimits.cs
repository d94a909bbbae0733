namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <summary>
/// On LLM routes, what a key may do (a virtual key). Requests and tokens per minute are counted per key across the
/// tenant's LLM routes (in Redis when the proxies have one); the budget is spend in USD by the model price table over
/// a calendar period in UTC, from the usage proxies report: once reached, the key is refused (429 budget_exceeded)
/// until the period ends, within seconds of the report that reached it.
/// </summary>
/// <param name="Models">The models the key may name; empty or left out: every model of the route.</param>
/// <param name="RequestsPerMinute">0 or left out: no limit (at most 1000000000).</param>
/// <param name="TokensPerMinute">Input and output tokens; 0 or left out: no limit.</param>
public sealed record ApiKeyLlmLimits(List<string>? Models = null, int? RequestsPerMinute = null, int? TokensPerMinute = null, ApiKeyBudget? Budget = null);
