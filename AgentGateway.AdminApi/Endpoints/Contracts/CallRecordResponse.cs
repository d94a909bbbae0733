namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>One call a proxy served, as recorded.</summary>
/// <param name="Kind">'mcp', 'a2a' or 'llm'.</param>
/// <param name="Operation">The MCP or A2A method, or the LLM API.</param>
/// <param name="Target">The tool, prompt or resource; the model asked for.</param>
/// <param name="Upstream">The LLM provider that answered, when there was one.</param>
/// <param name="Caller">jwt:{issuer}|{sub}, apikey:{id}, or null for an anonymous caller.</param>
/// <param name="Outcome">'ok', 'error', 'refused', 'unavailable' or 'cancelled'.</param>
/// <param name="Code">The JSON-RPC error code or HTTP status of a failed call, else 0.</param>
/// <param name="TraceId">The W3C trace id of the call, to find its trace.</param>
/// <param name="Arguments">The tool call's arguments (JSON, redacted) when the tenant records them.</param>
/// <param name="Cost">An LLM request's price in USD by the model price table when it arrived; null for other calls and unpriced models.</param>
public sealed record CallRecordResponse(
    Guid Id,
    DateTimeOffset At,
    string Route,
    string Kind,
    string Operation,
    string Target,
    string? Upstream,
    string? Caller,
    string Outcome,
    int Code,
    string? Error,
    int DurationMs,
    long InputTokens,
    long OutputTokens,
    string? TraceId,
    string? Arguments,
    decimal? Cost);
