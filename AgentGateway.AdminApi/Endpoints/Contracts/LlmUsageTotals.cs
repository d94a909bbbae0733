namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Cost">What the priced requests cost.</param>
/// <param name="UnpricedRequests">Requests whose model had no price when they were recorded (not in the cost).</param>
public sealed record LlmUsageTotals(long Requests, long InputTokens, long OutputTokens, decimal Cost, long UnpricedRequests);
