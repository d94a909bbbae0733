namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>
/// One request's access log line: what the corridor and the route's kind learn about it while it runs, and what the
/// log takes from the request when it ends (its context is reused after). Set on the request's features while the
/// access log is on (<see cref="Of"/> is null otherwise, and nothing is recorded).
/// </summary>
internal sealed class GatewayRequestRecord
{
    public DateTimeOffset Time { get; set; }

    public string? TraceId { get; set; }

    public string? Tenant { get; set; }

    public string? Route { get; set; }

    /// <summary>The route's kind: http, a2a, mcp or llm.</summary>
    public string? Kind { get; set; }

    public string Method { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    public int Status { get; set; }

    public double DurationMs { get; set; }

    public long? BytesReceived { get; set; }

    public long BytesSent { get; set; }

    /// <summary>The caller the route's policies established: <c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>, or null.</summary>
    public string? Caller { get; set; }

    /// <summary>Formatted by the log's writer, off the request's path.</summary>
    public System.Net.IPAddress? ClientAddress { get; set; }

    public Microsoft.Extensions.Primitives.StringValues UserAgent { get; set; }

    /// <summary>The protocol's operation: an MCP or A2A method, an LLM API.</summary>
    public string? Operation { get; set; }

    /// <summary>What the operation names: a tool, prompt or resource; a model.</summary>
    public string? Target { get; set; }

    /// <summary>The policy that refused the request, if one did.</summary>
    public string? Refusal { get; set; }

    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    /// <summary>Whether the line has <c>bytes_sent</c>, which bodies of no declared length are counted for.</summary>
    public bool CountsSent { get; init; }

    /// <summary>The response's body, counting, once <see cref="CountSent"/> put it in place.</summary>
    public CountingBody? Sent { get; private set; }

    public static GatewayRequestRecord? Of(HttpContext context) => context.Features.Get<GatewayRequestRecord>();

    /// <summary>
    /// Counts what is written to the response's body from now on: for a body whose length its header will not say.
    /// A body with a Content-Length needs no counting (the server holds it to that length); a wrapper on every
    /// response would cost each request a stream and a body feature more.
    /// </summary>
    public void CountSent(HttpContext context)
    {
        if (CountsSent && Sent is null)
        {
            Sent = new CountingBody(context.Response.Body);
            context.Response.Body = Sent;
        }
    }
}
