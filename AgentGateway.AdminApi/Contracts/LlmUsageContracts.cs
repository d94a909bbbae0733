namespace AgentGateway.AdminApi.Contracts;

/// <summary>What a model's tokens cost (in <see cref="Currency"/>), platform-wide.</summary>
public sealed record ModelPriceResponse(string Model, decimal InputPerMillion, decimal OutputPerMillion, string Currency, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>Sets a model's price (platform admins); usage recorded from then on is priced with it.</summary>
/// <param name="InputPerMillion">The price of a million input tokens (0-1000000).</param>
/// <param name="OutputPerMillion">The price of a million output tokens (0-1000000).</param>
public sealed record SetModelPriceRequest(decimal? InputPerMillion, decimal? OutputPerMillion);

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

/// <param name="Key">The model, API key name ("(no key)" for other callers), provider, route or subject.</param>
/// <param name="Points">One per bucket.</param>
public sealed record LlmUsageGroup(string Key, LlmUsageTotals Totals, IReadOnlyList<LlmUsageTotals> Points);

/// <param name="Cost">What the priced requests cost.</param>
/// <param name="UnpricedRequests">Requests whose model had no price when they were recorded (not in the cost).</param>
public sealed record LlmUsageTotals(long Requests, long InputTokens, long OutputTokens, decimal Cost, long UnpricedRequests);

/// <summary>One request of an LLM route, as recorded.</summary>
/// <param name="ApiKey">The name of the API key the caller used; null for other callers.</param>
/// <param name="Cost">Null when the model had no price.</param>
public sealed record LlmUsageRecordResponse(
    DateTimeOffset At,
    string Route,
    string? ApiKey,
    string? Subject,
    string Model,
    string Provider,
    string ProviderModel,
    long InputTokens,
    long OutputTokens,
    bool Estimated,
    decimal? Cost,
    int DurationMs,
    int? TimeToFirstTokenMs,
    string Outcome,
    string Api);
