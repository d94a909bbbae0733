namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// One call a proxy served (an MCP tool call, prompt get or resource read; an A2A operation; an LLM request), as it
/// reported it: the data plane's audit trail. Kept for the retention period (<c>Audit:CallRetention</c>).
/// </summary>
internal sealed class CallRecordEntry
{
    /// <summary>The proxy's id of the call: a report sent again stores each call once.</summary>
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Route { get; set; }

    /// <summary><c>mcp</c>, <c>a2a</c> or <c>llm</c>.</summary>
    public required string Kind { get; set; }

    public required string Operation { get; set; }

    /// <summary>The tool, prompt or resource; the model asked for; empty when the operation names none.</summary>
    public required string Target { get; set; }

    public string? Upstream { get; set; }

    /// <summary>The caller's subject (<c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>); null for anonymous callers.</summary>
    public string? Caller { get; set; }

    /// <summary><c>ok</c>, <c>error</c>, <c>refused</c>, <c>unavailable</c> or <c>cancelled</c>.</summary>
    public required string Outcome { get; set; }

    public int Code { get; set; }

    public string? Error { get; set; }

    public int DurationMs { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>An LLM request's price by the model price table when it arrived; null for other calls and unpriced models.</summary>
    public decimal? Cost { get; set; }

    public string? TraceId { get; set; }

    /// <summary>The tool call's arguments (JSON, redacted by the proxy) when the tenant opted in.</summary>
    public string? Arguments { get; set; }

    public DateTimeOffset At { get; set; }

    public required string NodeId { get; set; }
}
