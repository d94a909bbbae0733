namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>
/// What the corridor and the route's kind learn about one request for its access log line: set on the request's
/// features while the access log is on (<see cref="Of"/> is null otherwise, and nothing is recorded).
/// </summary>
internal sealed class GatewayRequestRecord
{
    public string? Tenant { get; set; }

    public string? Route { get; set; }

    /// <summary>The route's kind: http, a2a, mcp or llm.</summary>
    public string? Kind { get; set; }

    /// <summary>The caller the route's policies established: <c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>, or null.</summary>
    public string? Caller { get; set; }

    /// <summary>The protocol's operation: an MCP or A2A method, an LLM API.</summary>
    public string? Operation { get; set; }

    /// <summary>What the operation names: a tool, prompt or resource; a model.</summary>
    public string? Target { get; set; }

    /// <summary>The policy that refused the request, if one did.</summary>
    public string? Refusal { get; set; }

    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public static GatewayRequestRecord? Of(HttpContext context) => context.Features.Get<GatewayRequestRecord>();
}
