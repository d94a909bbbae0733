using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentGateway.Proxy.Telemetry;

/// <summary>
/// The proxy's own metrics (meter <c>AgentGateway.Proxy</c>) beside ASP.NET Core's HTTP server and client ones: policy
/// refusals by policy, MCP operations as the gateway serves them and as it sends them to targets (OpenTelemetry's MCP
/// conventions) and their sessions' durations, rate-limit decisions and fallbacks, and config updates. Gauges are observed where their state lives (sessions,
/// upstream health, the xDS stream) on the same meter. Routes are labels only as <see cref="MetricLabels"/> says. Without
/// a listener (no exporter configured) a measurement builds no tags: it returns at once.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "AgentGateway.Proxy";

    /// <summary>The buckets of operation durations in seconds: from 1 ms to 5 minutes (MCP's conventions advise the like).</summary>
    private static readonly InstrumentAdvice<double> s_durations = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    /// <summary>The buckets of session durations in seconds: from 1 second to a day.</summary>
    private static readonly InstrumentAdvice<double> s_sessionDurations = new()
    {
        HistogramBucketBoundaries = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400],
    };

    /// <summary>
    /// The MCP request methods of both protocol eras: any other name a client sends is labelled
    /// <see cref="MetricLabels.Other"/>, so that made-up methods never become series.
    /// </summary>
    private static readonly FrozenSet<string> s_mcpMethods = new[]
    {
        "initialize", "ping", "server/discover", "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list",
        "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe", "subscriptions/listen",
        "completion/complete", "logging/setLevel", "tasks/get", "tasks/list", "tasks/result", "tasks/cancel",
        "sampling/createMessage", "elicitation/create", "roots/list",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly MetricLabels _labels;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _mcpServer;
    private readonly Histogram<double> _mcpClient;
    private readonly Histogram<double> _mcpServerSessions;
    private readonly Histogram<double> _mcpClientSessions;
    private readonly Histogram<double> _upstream;
    private readonly Counter<long> _rateLimit;
    private readonly Counter<long> _rateLimitFallbacks;
    private readonly Counter<long> _configUpdates;
    private readonly Counter<long> _toolGuards;

    public GatewayMetrics(IMeterFactory meterFactory, MetricLabels labels)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _labels = labels;
        Meter = meterFactory.Create(MeterName);
        _refusals = Meter.CreateCounter<long>(
            "agentgateway.policy.refusals", "{request}", "Requests a route's policies refused, by policy (authentication, ext_authz, authorization, rate_limit, mcp_authorization, a2a_authorization, virtual_key) and route kind.");
        _mcpServer = Meter.CreateHistogram(
            "mcp.server.operation.duration", "s", "MCP requests as the gateway served them, from receipt to answer, by method and tool or prompt.", advice: s_durations);
        _mcpClient = Meter.CreateHistogram(
            "mcp.client.operation.duration", "s", "MCP requests the gateway sent to targets, until their answer, by method and tool or prompt.", advice: s_durations);
        _mcpServerSessions = Meter.CreateHistogram(
            "mcp.server.session.duration", "s", "MCP sessions the gateway served, from the client's initialize until the client closed them or they expired idle on this replica.",
            advice: s_sessionDurations);
        _mcpClientSessions = Meter.CreateHistogram(
            "mcp.client.session.duration", "s", "Upstream MCP sessions the gateway held with targets, from its initialize until it closed them.", advice: s_sessionDurations);
        _upstream = Meter.CreateHistogram(
            "agentgateway.upstream.request.duration", "s", "Requests forwarded to HTTP and A2A upstreams, each try until its answer was passed on, by status (or error) and route kind.",
            advice: s_durations);
        _rateLimit = Meter.CreateCounter<long>("agentgateway.ratelimit.decisions", "{decision}", "Rate-limit decisions by outcome (allowed, limited).");
        _rateLimitFallbacks = Meter.CreateCounter<long>(
            "agentgateway.ratelimit.fallbacks", "{decision}", "Rate-limit decisions the distributed limiter (redis, service) could not make in time, left to the failure mode (open, closed).");
        _toolGuards = Meter.CreateCounter<long>(
            "agentgateway.mcp.guard.actions", "{action}", "Tool calls' arguments and results a tool guard masked or refused, by guard (or size bound), phase and action.");
        _configUpdates = Meter.CreateCounter<long>("agentgateway.config.updates", "{update}", "Config updates by source (xds, file) and result (applied, partial: applied but for routes it refuses, rejected).");
    }

    /// <summary>The meter, for gauges observed where their state lives.</summary>
    public Meter Meter { get; }

    public MetricLabels Labels => _labels;

    public void Refused(string routeKey, string kind, string policy)
    {
        if (!_refusals.Enabled)
        {
            return;
        }

        var tags = new TagList { { "policy", policy }, { "agentgateway.route.kind", kind } };
        _labels.AddTo(ref tags, routeKey);
        _refusals.Add(1, tags);
    }

    /// <summary>One forwarded try: the upstream's status, or what went wrong (<paramref name="error"/>) when it gave none.</summary>
    public void Forwarded(string tenant, string route, string kind, int status, string? error, TimeSpan elapsed)
    {
        if (!_upstream.Enabled)
        {
            return;
        }

        var tags = new TagList { { "agentgateway.route.kind", kind } };
        if (error is null)
        {
            tags.Add("http.response.status_code", status);
        }
        else
        {
            tags.Add("error.type", error);
        }

        _labels.AddTo(ref tags, tenant, route);
        _upstream.Record(elapsed.TotalSeconds, tags);
    }

    public void RateLimited(string tenant, string route, bool allowed)
    {
        if (!_rateLimit.Enabled)
        {
            return;
        }

        var tags = new TagList { { "outcome", allowed ? "allowed" : "limited" } };
        _labels.AddTo(ref tags, tenant, route);
        _rateLimit.Add(1, tags);
    }

    /// <param name="limiter"><c>redis</c> or <c>service</c> (an Envoy rate-limit service).</param>
    public void RateLimitFellBack(string tenant, string route, string limiter, bool failClosed)
    {
        if (!_rateLimitFallbacks.Enabled)
        {
            return;
        }

        var tags = new TagList { { "limiter", limiter }, { "failure_mode", failClosed ? "closed" : "open" } };
        _labels.AddTo(ref tags, tenant, route);
        _rateLimitFallbacks.Add(1, tags);
    }

    /// <summary>A tool guard (or a size bound) that masked or refused a call's <paramref name="phase"/> (arguments, result).</summary>
    public void ToolGuarded(string routeKey, string guard, string phase, bool rejected)
    {
        if (!_toolGuards.Enabled)
        {
            return;
        }

        var tags = new TagList { { "guard", guard }, { "phase", phase }, { "action", rejected ? "reject" : "mask" } };
        _labels.AddTo(ref tags, routeKey);
        _toolGuards.Add(1, tags);
    }

    /// <param name="result"><c>applied</c>, <c>partial</c> (applied but for the routes it refuses) or <c>rejected</c> (the last good config kept).</param>
    public void ConfigUpdated(string source, string result) =>
        _configUpdates.Add(1, new TagList { { "source", source }, { "result", result } });

    /// <param name="name">The tool or prompt, when the method names one.</param>
    /// <param name="error">The JSON-RPC error code of an error answer, or the exception's kind; null when it succeeded.</param>
    public void McpServed(string routeKey, string method, string? name, string? error, string? protocolVersion, TimeSpan elapsed)
    {
        if (!_mcpServer.Enabled)
        {
            return;
        }

        var tags = McpTags(method, name, error);
        tags.Add("network.transport", "tcp");
        if (protocolVersion is not null)
        {
            tags.Add("mcp.protocol.version", protocolVersion);
        }

        _labels.AddTo(ref tags, routeKey);
        _mcpServer.Record(elapsed.TotalSeconds, tags);
    }

    public void McpSent(string routeKey, string target, string method, string? name, string? error, TimeSpan elapsed)
    {
        if (!_mcpClient.Enabled)
        {
            return;
        }

        var tags = McpTags(method, name, error);
        _labels.AddTo(ref tags, routeKey);
        if (_labels.ByRoute)
        {
            tags.Add("agentgateway.mcp.target", target);
        }

        _mcpClient.Record(elapsed.TotalSeconds, tags);
    }

    /// <param name="ended"><c>client</c>, <c>idle</c> or <c>stream</c> (see <c>LocalSessions.Close</c>).</param>
    public void McpServerSessionEnded(string routeKey, string protocolVersion, string ended, TimeSpan lasted)
    {
        if (!_mcpServerSessions.Enabled)
        {
            return;
        }

        var tags = new TagList { { "mcp.protocol.version", protocolVersion }, { "network.transport", "tcp" }, { "agentgateway.mcp.session.end", ended } };
        _labels.AddTo(ref tags, routeKey);
        _mcpServerSessions.Record(lasted.TotalSeconds, tags);
    }

    /// <param name="transport"><c>tcp</c> (HTTP) or <c>pipe</c> (stdio).</param>
    public void McpClientSessionEnded(string routeKey, string target, string protocolVersion, string transport, TimeSpan lasted)
    {
        if (!_mcpClientSessions.Enabled)
        {
            return;
        }

        var tags = new TagList { { "mcp.protocol.version", protocolVersion }, { "network.transport", transport } };
        _labels.AddTo(ref tags, routeKey);
        if (_labels.ByRoute)
        {
            tags.Add("agentgateway.mcp.target", target);
        }

        _mcpClientSessions.Record(lasted.TotalSeconds, tags);
    }

    private static TagList McpTags(string method, string? name, string? error)
    {
        var tags = new TagList { { "mcp.method.name", s_mcpMethods.Contains(method) ? method : MetricLabels.Other } };
        if (name is not null)
        {
            tags.Add(method == "prompts/get" ? "gen_ai.prompt.name" : "gen_ai.tool.name", name);
        }

        if (error is not null)
        {
            tags.Add("error.type", error);
        }

        return tags;
    }
}
