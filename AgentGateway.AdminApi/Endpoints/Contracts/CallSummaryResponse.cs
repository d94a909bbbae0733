namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A tenant's calls over a period, in buckets of <see cref="Interval"/>, per group.</summary>
/// <param name="GroupBy">'route', 'target', 'operation', 'tool', 'kind', 'caller' or 'outcome'.</param>
/// <param name="Buckets">The start of every bucket, in order; each group's points line up with them.</param>
/// <param name="Points">The tenant's calls (all groups) in every bucket.</param>
public sealed record CallSummaryResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    string Interval,
    string GroupBy,
    CallTotals Totals,
    IReadOnlyList<DateTimeOffset> Buckets,
    IReadOnlyList<CallGroup> Groups,
    IReadOnlyList<CallTotals> Points);

/// <summary>One group's totals over the period and its point in every bucket.</summary>
public sealed record CallGroup(string Key, CallTotals Totals, IReadOnlyList<CallTotals> Points);

/// <summary>Calls, those that did not end well, their duration's median and 99th percentile (ms), LLM tokens and their cost (USD, of priced models).</summary>
public sealed record CallTotals(long Calls, long Errors, double? P50Ms, double? P99Ms, long InputTokens, long OutputTokens, decimal Cost);
