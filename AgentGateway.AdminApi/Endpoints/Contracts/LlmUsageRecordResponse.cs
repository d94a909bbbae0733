namespace AgentGateway.AdminApi.Endpoints.Contracts;

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
