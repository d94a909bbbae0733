using System.Diagnostics.Metrics;

namespace AgentGateway.Proxy.Telemetry;

/// <summary>
/// <c>agentgateway.limit.exceeded</c>: requests, answers and fetches refused or cut short because they reached a
/// limit, by <c>limit</c> (a fixed set of names, so the metric stays low in cardinality). Recorded where the limit is
/// met, which is often a static helper; hence one static meter.
/// </summary>
internal static class LimitMetrics
{
    public const string MeterName = "AgentGateway.Limits";

    public const string RequestBody = "request_body";
    public const string UpstreamMessage = "upstream_message";
    public const string FetchedDocument = "fetched_document";
    public const string McpSessionsPerRoute = "mcp_sessions_per_route";
    public const string McpSessionsPerTenant = "mcp_sessions_per_tenant";
    public const string StdioProcessesPerRoute = "stdio_processes_per_route";
    public const string StdioProcessesPerTenant = "stdio_processes_per_tenant";
    public const string StoredResponses = "stored_llm_responses";
    public const string AuthorizationInput = "authorization_input";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_exceeded =
        s_meter.CreateCounter<long>("agentgateway.limit.exceeded", "{refusal}", "Requests, answers and fetches refused or cut short at a limit");

    public static void Exceeded(string limit) => s_exceeded.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
