namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A tenant's LLM usage over a period, in buckets of <see cref="Interval"/>, per group.</summary>
/// <param name="Buckets">The start of every bucket of the period, in order; each group's points line up with them.</param>
/// <param name="GroupBy">'model', 'api-key', 'provider', 'route' or 'subject'.</param>
public sealed record LlmUsageResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    string Interval,
    string GroupBy,
    string Currency,
    LlmUsageTotals Totals,
    IReadOnlyList<DateTimeOffset> Buckets,
    IReadOnlyList<LlmUsageGroup> Groups);
