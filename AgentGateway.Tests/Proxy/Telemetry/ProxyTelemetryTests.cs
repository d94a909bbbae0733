using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Proxy.Telemetry;

/// <summary>
/// A standalone proxy with every kind of telemetry on: a management listener serving Prometheus, route and tenant
/// labels, an access log to a file with queries, and traces exported to an OTLP receiver. One MCP route federates the
/// two sample servers, each behind a <see cref="FlakyFront"/> that shows what the proxy sent; one HTTP route needs an
/// API key.
/// </summary>
public sealed class ProxyTelemetryFixture : IAsyncLifetime
{
    public SampleServerFixture Samples { get; } = new();

    public FlakyFront Utils { get; private set; } = null!;

    public FlakyFront Notes { get; private set; } = null!;

    public EchoUpstream Echo { get; private set; } = null!;

    public OtlpReceiver Otlp { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public int ManagementPort { get; } = ServiceProcess.GetFreePort();

    public string AccessLog { get; } = Path.Combine(Path.GetTempPath(), $"agentgateway-access-{Guid.NewGuid():N}.log");

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    public Uri Management(string path) => new($"http://127.0.0.1:{ManagementPort}{path}");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await Samples.InitializeAsync();
        Utils = await FlakyFront.StartAsync(Samples.UtilsEndpoint);
        Notes = await FlakyFront.StartAsync(Samples.NotesEndpoint);
        Echo = await EchoUpstream.StartAsync();
        Otlp = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string>(Otlp.Settings(TimeSpan.FromMilliseconds(300)))
        {
            ["Management:Url"] = Management(string.Empty).ToString().TrimEnd('/'),
            ["Telemetry:Metrics:Route"] = "true",
            ["Telemetry:Metrics:Tenant"] = "true",
            ["Telemetry:AccessLog:Enabled"] = "true",
            ["Telemetry:AccessLog:Path"] = AccessLog,
            ["Telemetry:AccessLog:IncludeQuery"] = "true",
        };
        Proxy = await StandaloneProxy.StartAsync(
            new
            {
                routes = new object[]
                {
                    new
                    {
                        tenant = "acme",
                        name = "tools",
                        path = "/acme/tools",
                        mcp = new
                        {
                            targets = new object[]
                            {
                                new { name = "utils", streamableHttp = new { url = Utils.Url(Samples.UtilsEndpoint.AbsolutePath).ToString() } },
                                new { name = "notes", streamableHttp = new { url = Notes.Url(Samples.NotesEndpoint.AbsolutePath).ToString() } },
                            },
                        },
                    },
                    new
                    {
                        tenant = "acme",
                        name = "locked",
                        match = new { pathPrefix = "/acme/locked" },
                        policies = new { apiKeyAuth = new { keys = new[] { new { id = "k1", key = new { inline = "the-key" } } } } },
                        http = new { destinations = new[] { new { name = "echo", url = Echo.Address.ToString() } } },
                    },
                },
            },
            cancellationToken,
            settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Otlp.DisposeAsync();
        await Echo.DisposeAsync();
        await Notes.DisposeAsync();
        await Utils.DisposeAsync();
        await Samples.DisposeAsync();
        File.Delete(AccessLog);
    }
}

public sealed class ProxyTelemetryTests(ProxyTelemetryFixture fixture) : IClassFixture<ProxyTelemetryFixture>
{
    private const string Stateful = "2025-11-25";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_OnTheManagementListener_CountsEachToolCallAndEachRefusal_ByTenantAndRoute()
    {
        // Other tests of this class call the same tool and route; only what this test adds is counted.
        using var http = new HttpClient();
        var before = await http.GetStringAsync(fixture.Management("/metrics"), Cancellation);
        await using (var client = await ConnectAsync())
        {
            for (var call = 0; call < 3; call++)
            {
                var result = await client.CallToolAsync("utils_echo", new Dictionary<string, object?> { ["message"] = "counted" }, cancellationToken: Cancellation);
                Assert.NotEqual(true, result.IsError);
            }
        }

        for (var refused = 0; refused < 2; refused++)
        {
            using var response = await http.GetAsync(fixture.Route("locked/counted"), Cancellation);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var scrape = await http.GetStringAsync(fixture.Management("/metrics"), Cancellation);
        double Added(string metric, params string[] labels) => PrometheusText.Added(before, scrape, metric, labels);
        Assert.Equal(3, Added("mcp_server_operation_duration_seconds_count",
            "mcp_method_name=\"tools/call\"", "gen_ai_tool_name=\"utils_echo\"", "route=\"acme/tools\"", "tenant=\"acme\""));
        // Beneath each served call, one to the target that has the tool, by the target's own name for it.
        Assert.Equal(3, Added("mcp_client_operation_duration_seconds_count",
            "mcp_method_name=\"tools/call\"", "gen_ai_tool_name=\"echo\"", "agentgateway_mcp_target=\"utils\""));
        Assert.Equal(2, Added("agentgateway_policy_refusals_total",
            "policy=\"authentication\"", "agentgateway_route_kind=\"http\"", "route=\"acme/locked\""));
        // ASP.NET Core's server metric names the route and its kind too.
        Assert.Equal(2, Added("http_server_request_duration_seconds_count",
            "http_response_status_code=\"401\"", "agentgateway_route_kind=\"http\"", "route=\"acme/locked\"", "tenant=\"acme\""));
        // ASP.NET Core's per-request internals (routing, the memory pool) are not collected unless asked for.
        Assert.Empty(PrometheusText.Series(scrape, "aspnetcore_routing_match_attempts_total"));
        Assert.DoesNotContain("aspnetcore_memory_pool_", scrape, StringComparison.Ordinal);
        Assert.True(PrometheusText.Value(scrape, "agentgateway_mcp_sessions") >= 0);
        Assert.True(PrometheusText.Value(scrape, "agentgateway_config_updates_total", "source=\"file\"", "result=\"applied\"") >= 1);

        // The client closed its session (DELETE): one served session ended, and with it the gateway's session with each target.
        Assert.Equal(1, Added("mcp_server_session_duration_seconds_count",
            "agentgateway_mcp_session_end=\"client\"", $"mcp_protocol_version=\"{Stateful}\"", "route=\"acme/tools\""));
        foreach (var target in new[] { "utils", "notes" })
        {
            Assert.Equal(1, Added("mcp_client_session_duration_seconds_count", $"agentgateway_mcp_target=\"{target}\"", "network_transport=\"tcp\"", "route=\"acme/tools\""));
        }

        Assert.InRange(Added("mcp_server_session_duration_seconds_sum", "agentgateway_mcp_session_end=\"client\"", "route=\"acme/tools\""), 0.001, 60);
    }

    [Fact]
    public async Task Metrics_AreServedOnTheManagementListenerAlone_WhateverHostTheClientNames()
    {
        using var http = new HttpClient();
        using (var main = await http.GetAsync(new Uri(fixture.Proxy.BaseAddress, "/metrics"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NotFound, main.StatusCode);
        }

        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Proxy.BaseAddress, "/metrics")))
        {
            spoofed.Headers.Host = $"127.0.0.1:{fixture.ManagementPort}";
            using var response = await http.SendAsync(spoofed, Cancellation);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("mcp_", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // The management listener serves no route of any tenant, only metrics and the probes.
        using (var route = await http.GetAsync(fixture.Management("/acme/locked/x"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        }

        using var probe = await http.GetAsync(fixture.Management("/healthz"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    [Fact]
    public async Task AccessLog_HasALinePerRequest_WithRouteCallerOperationAndTool_AndSecretsInTheQueryRedacted()
    {
        var marker = Guid.NewGuid().ToString("N");
        await using (var client = await ConnectAsync())
        {
            await client.CallToolAsync("utils_echo", new Dictionary<string, object?> { ["message"] = marker }, cancellationToken: Cancellation);
        }

        using var http = new HttpClient();
        long refusedBytes;
        using (var refused = await http.GetAsync(new Uri(fixture.Route("locked/" + marker) + "?api_key=secret-" + marker + "&page=2"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            refusedBytes = (await refused.Content.ReadAsByteArrayAsync(Cancellation)).Length;
            Assert.Equal(refusedBytes, refused.Content.Headers.ContentLength);
        }

        // The upstream answers the first with a Content-Length, the second in chunks (counted on the way).
        var (declaredChunks, declaredBytes) = await AllowedAsync("ok-" + marker + "/sized");
        Assert.False(declaredChunks);
        var (chunked, chunkedBytes) = await AllowedAsync("ok-" + marker + "/chunked");
        Assert.True(chunked);

        var refusedLine = await WaitForLineAsync(line => (string?)line["path"] is { } path && path.Contains("/locked/" + marker, StringComparison.Ordinal));
        Assert.Equal($"/acme/locked/{marker}?api_key=[redacted]&page=2", (string?)refusedLine["path"]);
        Assert.Equal(401, (int)refusedLine["status"]!);
        Assert.Equal("authentication", (string?)refusedLine["refusal"]);
        Assert.Equal("acme", (string?)refusedLine["tenant"]);
        Assert.Equal("locked", (string?)refusedLine["route"]);
        Assert.Equal("http", (string?)refusedLine["kind"]);
        Assert.Equal(refusedBytes, (long)refusedLine["bytes_sent"]!);

        var allowedLine = await WaitForLineAsync(line => (string?)line["path"] == $"/acme/locked/ok-{marker}/sized");
        Assert.Equal(200, (int)allowedLine["status"]!);
        Assert.Equal("apikey:k1", (string?)allowedLine["caller"]);
        Assert.Equal(declaredBytes, (long)allowedLine["bytes_sent"]!);
        Assert.Null(allowedLine["refusal"]);
        var chunkedLine = await WaitForLineAsync(line => (string?)line["path"] == $"/acme/locked/ok-{marker}/chunked");
        Assert.Equal(chunkedBytes, (long)chunkedLine["bytes_sent"]!);

        var callLine = await WaitForLineAsync(line => (string?)line["operation"] == "tools/call" && (string?)line["target"] == "utils_echo");
        Assert.Equal("mcp", (string?)callLine["kind"]);
        Assert.Equal("tools", (string?)callLine["route"]);
        Assert.Equal("POST", (string?)callLine["method"]);
        Assert.True((double)callLine["duration_ms"]! >= 0);
        Assert.True((long)callLine["bytes_sent"]! > 0);

        Assert.DoesNotContain("secret-" + marker, await File.ReadAllTextAsync(fixture.AccessLog, Cancellation), StringComparison.Ordinal);

        async Task<(bool Chunked, long Received)> AllowedAsync(string path)
        {
            using var allowed = new HttpRequestMessage(HttpMethod.Get, fixture.Route("locked/" + path));
            allowed.Headers.Add("x-api-key", "the-key");
            using var response = await http.SendAsync(allowed, Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (response.Headers.TransferEncodingChunked == true, (await response.Content.ReadAsByteArrayAsync(Cancellation)).Length);
        }
    }

    [Fact]
    public async Task Traces_GoFromTheClientThroughTheGateway_ToEachTarget_InTheTraceparentHeaderAndInMeta()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var clientSpan = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
        var headers = new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{clientSpan}-01" };
        await using (var client = await McpTestClient.ConnectAsync(fixture.Route("tools"), Cancellation, headers, Stateful))
        {
            await client.CallToolAsync("utils_echo", new Dictionary<string, object?> { ["message"] = "traced" }, cancellationToken: Cancellation);
            await client.ListToolsAsync(cancellationToken: Cancellation);
        }

        // The target got the trace in both places: the HTTP header and, for MCP-aware servers, params._meta.
        var call = Assert.Single(fixture.Utils.Posts, post => (string?)post.Body?["method"] == "tools/call" && HasTrace(post.Body, traceId));
        Assert.StartsWith($"00-{traceId}-", call.TraceParent, StringComparison.Ordinal);
        var meta = (string)call.Body!["params"]!["_meta"]!["traceparent"]!;
        Assert.DoesNotContain(clientSpan, meta, StringComparison.Ordinal);

        // The spans: the served call (server), and beneath it the call to the target (client), whose id is the one in _meta.
        var served = await WaitForSpanAsync(span => span.TraceId == traceId && span.Name == "tools/call utils_echo" && span.Kind == 2);
        Assert.Equal("utils_echo", served.Attributes["gen_ai.tool.name"]);
        var sent = await WaitForSpanAsync(span => span.TraceId == traceId && span.Name == "tools/call echo" && span.Kind == 3);
        Assert.Equal(served.SpanId, sent.ParentSpanId);
        Assert.Equal("utils", sent.Attributes["agentgateway.mcp.target"]);
        Assert.Equal($"00-{traceId}-{sent.SpanId}-01", meta);

        // A list fans out: one client span for each target, siblings beneath the one served span.
        var list = await WaitForSpanAsync(span => span.TraceId == traceId && span.Name == "tools/list" && span.Kind == 2);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (fixture.Otlp.Spans.Count(span => span.ParentSpanId == list.SpanId && span.Kind == 3) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancellation);
        }

        var targets = fixture.Otlp.Spans.Where(span => span.ParentSpanId == list.SpanId && span.Kind == 3).Select(span => span.Attributes["agentgateway.mcp.target"]);
        Assert.Equal(["notes", "utils"], targets.Order(StringComparer.Ordinal));
        Assert.Contains(fixture.Notes.Posts, post => (string?)post.Body?["method"] == "tools/list" && HasTrace(post.Body, traceId));
    }

    [Fact]
    public async Task MethodsClientsMakeUp_AreCountedAsOneOtherSeries_NeverUnderTheirOwnNames()
    {
        using var http = new HttpClient();
        var sessionId = await McpTestClient.OpenSessionAsync(http, fixture.Route("tools"), Cancellation);
        var before = await http.GetStringAsync(fixture.Management("/metrics"), Cancellation);
        var madeUp = $"made-up/{Guid.NewGuid():N}";
        for (var call = 0; call < 3; call++)
        {
            var (_, reply) = await McpTestClient.PostAsync(http, fixture.Route("tools"), sessionId, McpTestClient.Request($"{madeUp}-{call}"), Cancellation);
            Assert.Equal(-32601, (int)reply!["error"]!["code"]!);
        }

        var scrape = await http.GetStringAsync(fixture.Management("/metrics"), Cancellation);
        Assert.DoesNotContain(madeUp, scrape, StringComparison.Ordinal);
        Assert.Equal(3, PrometheusText.Added(before, scrape, "mcp_server_operation_duration_seconds_count",
            "mcp_method_name=\"_OTHER\"", "error_type=\"-32601\"", "route=\"acme/tools\""));
    }

    [Fact]
    public async Task ATraceContextInMeta_ParentsTheServedSpan_WhichCarriesTheRequestIdAndProtocolVersion()
    {
        // No traceparent header: the client's context travels in params._meta alone, as MCP SDKs put it.
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var clientSpan = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
        using var http = new HttpClient();
        var sessionId = await McpTestClient.OpenSessionAsync(http, fixture.Route("tools"), Cancellation);
        var request = McpTestClient.Request("tools/call", new JsonObject
        {
            ["name"] = "utils_echo",
            ["arguments"] = new JsonObject { ["message"] = "in meta" },
            ["_meta"] = new JsonObject { ["traceparent"] = $"00-{traceId}-{clientSpan}-01" },
        });
        var (status, reply) = await McpTestClient.PostAsync(http, fixture.Route("tools"), sessionId, request, Cancellation);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(reply!["result"]);

        var served = await WaitForSpanAsync(span => span.TraceId == traceId && span.Kind == 2);
        Assert.Equal("tools/call utils_echo", served.Name);
        Assert.Equal(clientSpan, served.ParentSpanId);
        Assert.Equal((string)request["id"]!, served.Attributes["jsonrpc.request.id"]);
        Assert.Equal(Stateful, served.Attributes["mcp.protocol.version"]);
        var sent = await WaitForSpanAsync(span => span.TraceId == traceId && span.Name == "tools/call echo" && span.Kind == 3);
        Assert.Equal(served.SpanId, sent.ParentSpanId);
        Assert.Contains(fixture.Utils.Posts, post => (string?)post.Body?["params"]?["_meta"]?["traceparent"] == $"00-{traceId}-{sent.SpanId}-01");
    }

    [Fact]
    public async Task ARefusal_ShowsInTheTrace_AsThePoliciesSpanFailing_WithThePolicyThatRefused()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.Route("locked/traced"));
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
        using var response = await http.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var policies = await WaitForSpanAsync(span => span.TraceId == traceId && span.Name == "policies");
        Assert.Equal("authentication", policies.Attributes["agentgateway.policy"]);
        Assert.Equal("authentication", policies.Attributes["error.type"]);
        Assert.Equal("401", policies.Attributes["http.response.status_code"]);
        Assert.Equal("acme/locked", policies.Attributes["agentgateway.route"]);
    }

    private Task<McpClient> ConnectAsync() => McpTestClient.ConnectAsync(fixture.Route("tools"), Cancellation, protocolVersion: Stateful);

    private static bool HasTrace(JsonObject? body, string traceId) =>
        (string?)body?["params"]?["_meta"]?["traceparent"] is { } traceparent && traceparent.StartsWith($"00-{traceId}-", StringComparison.Ordinal);

    private async Task<JsonObject> WaitForLineAsync(Func<JsonObject, bool> predicate)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var text = File.Exists(fixture.AccessLog) ? await ReadSharedAsync(fixture.AccessLog) : string.Empty;
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject());
            if (lines.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "No such access log line in:\n" + text);
            await Task.Delay(100, Cancellation);
        }
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(Cancellation);
    }

    private async Task<OtlpReceiver.ExportedSpan> WaitForSpanAsync(Func<OtlpReceiver.ExportedSpan, bool> predicate)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (fixture.Otlp.Spans.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "No such span in:\n" + string.Join('\n', fixture.Otlp.Spans.Select(span => $"{span.TraceId} {span.Name} {span.Kind}")));
            await Task.Delay(100, Cancellation);
        }
    }
}

/// <summary>The access log's sampling and its labels-off default, on proxies of their own.</summary>
public sealed class AccessLogSamplingTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASampleRateOfZero_LogsNoSuccess_ButEveryError_AndMetricsNameNoRouteByDefault()
    {
        var log = Path.Combine(Path.GetTempPath(), $"agentgateway-access-{Guid.NewGuid():N}.log");
        var management = ServiceProcess.GetFreePort();
        await using var echo = await EchoUpstream.StartAsync();
        await using (var proxy = await StandaloneProxy.StartAsync(
            new
            {
                routes = new object[]
                {
                    new
                    {
                        tenant = "acme",
                        name = "api",
                        match = new { pathPrefix = "/acme/api" },
                        policies = new { apiKeyAuth = new { keys = new[] { new { id = "k1", key = new { inline = "the-key" } } } } },
                        http = new { destinations = new[] { new { name = "echo", url = echo.Address.ToString() } } },
                    },
                },
            },
            Cancellation,
            new Dictionary<string, string>
            {
                ["Management:Url"] = $"http://127.0.0.1:{management}",
                ["Telemetry:AccessLog:Enabled"] = "true",
                ["Telemetry:AccessLog:Path"] = log,
                ["Telemetry:AccessLog:SampleRate"] = "0",
                ["Telemetry:AccessLog:Fields:0"] = "path",
                ["Telemetry:AccessLog:Fields:1"] = "status",
            }))
        {
            using var http = new HttpClient();
            for (var index = 0; index < 5; index++)
            {
                using var allowed = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy.BaseAddress, $"/acme/api/ok-{index}"));
                allowed.Headers.Add("x-api-key", "the-key");
                using var response = await http.SendAsync(allowed, Cancellation);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using (var refused = await http.GetAsync(new Uri(proxy.BaseAddress, "/acme/api/refused"), Cancellation))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var scrape = await http.GetStringAsync(new Uri($"http://127.0.0.1:{management}/metrics"), Cancellation);
            var refusals = scrape.Split('\n').Single(line => line.StartsWith("agentgateway_policy_refusals_total{", StringComparison.Ordinal));
            Assert.Contains("policy=\"authentication\"", refusals, StringComparison.Ordinal);
            Assert.DoesNotContain("route=", refusals, StringComparison.Ordinal);
            Assert.DoesNotContain("tenant=", refusals, StringComparison.Ordinal);
            Assert.DoesNotContain(scrape.Split('\n'), line => line.StartsWith("http_server_request_duration", StringComparison.Ordinal)
                && line.Contains("agentgateway_route_kind", StringComparison.Ordinal));
        }

        // One line, the error's, with the two fields asked for and no others.
        var line = Assert.Single(await File.ReadAllLinesAsync(log, Cancellation), text => text.Length > 0);
        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.Equal(["path", "status"], entry.Select(pair => pair.Key));
        Assert.Equal("/acme/api/refused", (string?)entry["path"]);
        Assert.Equal(401, (int)entry["status"]!);
        File.Delete(log);
    }
}

/// <summary>The Grafana dashboard and Prometheus config in <c>deploy/observability</c> speak of metrics the services have.</summary>
public sealed partial class ObservabilityAssetsTests
{
    [Fact]
    public void EveryMetricTheDashboardQueries_IsOneTheServicesRecord()
    {
        var root = ServiceProcess.RepositoryRoot;
        var recorded = new[] { "AgentGateway.Proxy", "AgentGateway.AdminApi" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => InstrumentName().Matches(File.ReadAllText(file)).Select(match => match.Groups[1].Value.Replace('.', '_')))
            .Append("http_server_request_duration")
            .ToHashSet(StringComparer.Ordinal);

        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "deploy", "observability", "grafana", "agentgateway.json")))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(panel => panel!["targets"]?.AsArray() ?? []).Select(target => (string)target!["expr"]!).ToList();
        Assert.True(queries.Count >= 15);
        var queried = queries.SelectMany(query => MetricName().Matches(query).Select(match => match.Value)).Distinct().ToList();
        Assert.NotEmpty(queried);
        Assert.All(queried, metric => Assert.True(
            recorded.Any(name => metric == name || metric.StartsWith(name + "_", StringComparison.Ordinal)),
            $"The dashboard queries '{metric}', which no service records."));

        var scrape = File.ReadAllText(Path.Combine(root, "deploy", "observability", "prometheus.yml"));
        Assert.Contains("localhost:15020", scrape, StringComparison.Ordinal);
        Assert.Contains("localhost:5082", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDashboard_NarrowsTrafficPanelsToTheTenantsAndRoutesChosen()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "deploy", "observability", "grafana", "agentgateway.json")))!;
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(variable => (string)variable!["name"]!).ToList();
        Assert.Contains("tenant", variables);
        Assert.Contains("route", variables);
        var traffic = dashboard["panels"]!.AsArray().SelectMany(panel => panel!["targets"]?.AsArray() ?? []).Select(target => (string)target!["expr"]!)
            .Where(query => query.Contains("mcp_server_", StringComparison.Ordinal) || query.Contains("agentgateway_a2a_", StringComparison.Ordinal)
                || query.Contains("gen_ai_client_", StringComparison.Ordinal) || query.Contains("agentgateway_upstream_request", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(traffic);
        Assert.All(traffic, query => Assert.Contains("route=~\"$route\"", query, StringComparison.Ordinal));
    }

    [GeneratedRegex("\"((?:agentgateway|gen_ai|mcp)\\.[a-z0-9_.]+)\"")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("\\b(?:agentgateway|gen_ai|mcp|http_server)_[a-z0-9_]+(?=\\{|\\[)")]
    private static partial Regex MetricName();
}
