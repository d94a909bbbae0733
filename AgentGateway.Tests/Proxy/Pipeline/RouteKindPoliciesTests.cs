using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;

namespace AgentGateway.Tests.Proxy.Pipeline;

/// <summary>
/// A standalone proxy whose routes of every kind carry the policies that now work on every kind: request
/// authorization on HTTP and LLM routes, timeouts and retries on MCP and LLM routes (MCP targets behind a
/// <see cref="FlakyFront"/>, a slow LLM provider in front of the demo model server), and one MCP route whose
/// mirrors would change nothing, which the proxy refuses.
/// </summary>
public sealed class RouteKindPoliciesFixture : IAsyncLifetime
{
    public SampleServerFixture Samples { get; } = new();

    public FlakyFront Front { get; private set; } = null!;

    public EchoUpstream Echo { get; private set; } = null!;

    public EchoUpstream SlowProvider { get; private set; } = null!;

    /// <summary>An A2A agent's stand-in: it answers whatever it is sent, or fails and waits when told to.</summary>
    public EchoUpstream Agent { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    private ServiceProcess? _models;

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var models = ServiceProcess.StartAsync("samples/AgentGateway.Samples.Models", new Dictionary<string, string>(), cancellationToken);
        await Samples.InitializeAsync();
        Front = await FlakyFront.StartAsync(Samples.UtilsEndpoint);
        Echo = await EchoUpstream.StartAsync();
        SlowProvider = await EchoUpstream.StartAsync("slow");
        Agent = await EchoUpstream.StartAsync("agent");
        _models = await models;

        var target = new { name = "utils", streamableHttp = new { url = Front.Url(Samples.UtilsEndpoint.AbsolutePath).ToString() } };
        object Mcp(string name, object policies, uint targetTimeoutMs = 0) =>
            new { tenant = "acme", name, path = $"/acme/{name}", policies, mcp = new { failureMode = "closed", targetTimeoutMs, targets = new[] { target } } };
        object Llm(string name, object policies, params string[] providers) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies,
            llm = new
            {
                providers = providers.Select(provider => new { name = provider, kind = "openai", url = provider == "slow" ? SlowProvider.Address.ToString() : new Uri(_models.BaseAddress, "/v1").ToString() }),
                models = new[]
                {
                    new
                    {
                        name = "demo",
                        targets = providers.Select((provider, index) => new { provider, model = "demo-echo", priority = index }),
                    },
                },
            },
        };

        var teams = new { rules = new[] { new { name = "blue team", expression = "request.headers['x-team'] == 'blue'" } } };
        Proxy = await StandaloneProxy.StartAsync(new
        {
            routes = new object[]
            {
                Mcp("mcp-retry", new { retry = new { attempts = 2, backoffBaseMs = 5, statusCodes = new[] { 503 } } }),
                Mcp("mcp-slow", new { timeouts = new { backendRequestMs = 300 } }),
                Mcp("mcp-deadline", new { timeouts = new { requestMs = 400 } }, targetTimeoutMs: 10_000),
                Mcp("mcp-mirrored", new { mirrors = new[] { new { url = Echo.Address.ToString(), percentage = 100 } } }),
                Mcp("mcp-authz", new { authorization = teams }),
                new { tenant = "acme", name = "agent-authz", path = "/acme/agent-authz", policies = new { authorization = teams }, a2a = new { url = Agent.Address.ToString() } },
                new
                {
                    tenant = "acme",
                    name = "api",
                    match = new { pathPrefix = "/acme/api" },
                    policies = new
                    {
                        authorization = new
                        {
                            rules = new[]
                            {
                                new { name = "readers", expression = "request.method == 'GET'" },
                                new { name = "admins", expression = "request.headers['x-role'] == 'admin' && request.path.startsWith('/acme/api/admin')" },
                            },
                        },
                    },
                    http = new { destinations = new[] { new { name = "echo", url = Echo.Address.ToString() } } },
                },
                new
                {
                    tenant = "acme",
                    name = "agent",
                    path = "/acme/agent",
                    policies = new { retry = new { attempts = 2, backoffBaseMs = 5, statusCodes = new[] { 503 } } },
                    a2a = new { url = Agent.Address.ToString() },
                },
                new
                {
                    tenant = "acme",
                    name = "agent-limited",
                    path = "/acme/agent-limited",
                    policies = new { localRateLimit = new { buckets = new[] { new { name = "hourly", maxTokens = 1, fillIntervalMs = 3_600_000 } } } },
                    a2a = new { url = Agent.Address.ToString() },
                },
                new
                {
                    tenant = "acme",
                    name = "agent-slow",
                    path = "/acme/agent-slow",
                    policies = new { timeouts = new { backendRequestMs = 300 } },
                    a2a = new { url = Agent.Address.ToString() },
                },
                Llm("llm", new { authorization = teams }, "models"),
                Llm("llm-slow", new { timeouts = new { backendRequestMs = 300 } }, "slow", "models"),
                Llm("llm-deadline", new { timeouts = new { requestMs = 400 } }, "slow"),
            },
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        foreach (var disposable in new IAsyncDisposable?[] { Front, Echo, SlowProvider, Agent, _models })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        await Samples.DisposeAsync();
    }
}

/// <summary>
/// The corridor's policies on every route kind: request authorization on HTTP and LLM routes (answered in the
/// route's protocol), timeouts and retries on MCP targets and LLM providers, and a policy that would have no effect
/// refused rather than ignored.
/// </summary>
public sealed class RouteKindPoliciesTests(RouteKindPoliciesFixture fixture) : IClassFixture<RouteKindPoliciesFixture>, IDisposable
{
    private const string Stateful = "2025-11-25";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        fixture.Front.Reset();
        fixture.SlowProvider.Reset();
        fixture.Agent.Reset();
    }

    [Fact]
    public async Task AnHttpRoutesAuthorizationRules_AllowWhatTheySay_AndRefuseTheRestWith403()
    {
        using var http = new HttpClient();
        using var read = await http.GetAsync(fixture.Route("api/items"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        using var write = await http.PostAsync(fixture.Route("api/items"), new StringContent("{}"), Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Contains("authorization rules do not allow", await write.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        using var admin = new HttpRequestMessage(HttpMethod.Post, fixture.Route("api/admin/reindex")) { Content = new StringContent("{}") };
        admin.Headers.Add("x-role", "admin");
        using var allowed = await http.SendAsync(admin, Cancellation);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        // The rule reads the path too: the admin header alone opens nothing else.
        using var elsewhere = new HttpRequestMessage(HttpMethod.Post, fixture.Route("api/items")) { Content = new StringContent("{}") };
        elsewhere.Headers.Add("x-role", "admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(elsewhere, Cancellation)).StatusCode);
    }

    [Fact]
    public async Task AnLlmRoutesAuthorizationRules_RefuseInTheClientApisShape()
    {
        using var http = new HttpClient();
        object Chat() => new { model = "demo", messages = new[] { new { role = "user", content = "hello" } } };
        using var refused = await http.PostAsJsonAsync(fixture.Route("llm/v1/chat/completions"), Chat(), Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Contains("authorization rules", (string)error["message"]!, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Route("llm/v1/chat/completions")) { Content = JsonContent.Create(Chat()) };
        request.Headers.Add("x-team", "blue");
        using var answered = await http.SendAsync(request, Cancellation);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("You said: hello", await answered.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpAndA2aRoutesAuthorizationRules_RefuseInTheirProtocol_AndLetThroughWhatTheyAllow()
    {
        using var http = new HttpClient();
        HttpRequestMessage Initialize(string? team)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, fixture.Route("mcp-authz"))
            {
                Content = JsonContent.Create(McpTestClient.Request("initialize", new JsonObject
                {
                    ["protocolVersion"] = Stateful,
                    ["capabilities"] = new JsonObject(),
                    ["clientInfo"] = new JsonObject { ["name"] = "tests", ["version"] = "1.0" },
                })),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            if (team is not null)
            {
                request.Headers.Add("x-team", team);
            }

            return request;
        }

        using (var refused = await http.SendAsync(Initialize("red"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal(-32041, (int)error["code"]!);
            Assert.Contains("authorization rules", (string)error["message"]!, StringComparison.Ordinal);
        }

        using (var allowed = await http.SendAsync(Initialize("blue"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.True(allowed.Headers.Contains("Mcp-Session-Id"));
        }

        // A2A: the refusal is a JSON-RPC error too, and the agent never sees the request.
        static StringContent GetTask() => new("""{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"id":"task-1"}}""", System.Text.Encoding.UTF8, "application/json");
        using (var refused = await http.PostAsync(fixture.Route("agent-authz"), GetTask(), Cancellation))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(-32041, (int)JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!["code"]!);
        }

        Assert.Empty(fixture.Agent.Requests);
        using var blue = new HttpRequestMessage(HttpMethod.Post, fixture.Route("agent-authz")) { Content = GetTask() };
        blue.Headers.Add("x-team", "blue");
        using (var answered = await http.SendAsync(blue, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        Assert.Single(fixture.Agent.Requests);
    }

    [Fact]
    public async Task AnMcpTargetAnswering503_IsRetriedForReads_ButACallIsNotSentTwice()
    {
        await using var client = await SampleServerFixture.ConnectAsync(fixture.Route("mcp-retry"), Cancellation, Stateful);
        fixture.Front.Reset();
        fixture.Front.FailNext(2, 503, "tools/list");
        var tools = await client.ListToolsAsync(cancellationToken: Cancellation);
        Assert.Contains(tools, tool => tool.Name == "echo");
        Assert.Equal(3, fixture.Front.Methods.Count(method => method == "tools/list"));

        fixture.Front.Reset();
        fixture.Front.FailNext(1, 503, "tools/call");
        var failure = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "once" }, cancellationToken: Cancellation));
        Assert.Contains("503", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, fixture.Front.Methods.Count(method => method == "tools/call"));
    }

    [Fact]
    public async Task AnMcpRoutesBackendTimeout_BoundsEachTarget_AndItsRequestTimeout_TheWholeRequest()
    {
        await using (var client = await SampleServerFixture.ConnectAsync(fixture.Route("mcp-slow"), Cancellation, Stateful))
        {
            fixture.Front.DelayNext(1, TimeSpan.FromSeconds(5), "tools/call");
            var slow = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "late" }, cancellationToken: Cancellation));
            Assert.Contains("no answer within 0.3 s", slow.Message, StringComparison.Ordinal);
        }

        await using (var client = await SampleServerFixture.ConnectAsync(fixture.Route("mcp-deadline"), Cancellation, Stateful))
        {
            fixture.Front.DelayNext(1, TimeSpan.FromSeconds(5), "tools/call");
            var late = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "late" }, cancellationToken: Cancellation));
            Assert.Contains("request's time ran out", late.Message, StringComparison.Ordinal);

            // The next request has its own time.
            var answered = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "in time" }, cancellationToken: Cancellation);
            Assert.Contains("in time", ((ModelContextProtocol.Protocol.TextContentBlock)answered.Content[0]).Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnLlmRoutesBackendTimeout_FailsOverFromASlowProvider_AndItsRequestTimeout_Answers504()
    {
        using var http = new HttpClient();
        object Chat() => new { model = "demo", messages = new[] { new { role = "user", content = "hi" } } };
        fixture.SlowProvider.DelayNext(1, TimeSpan.FromSeconds(10));
        using var failedOver = await http.PostAsJsonAsync(fixture.Route("llm-slow/v1/chat/completions"), Chat(), Cancellation);
        Assert.Equal(HttpStatusCode.OK, failedOver.StatusCode);
        Assert.Contains("You said: hi", await failedOver.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        fixture.SlowProvider.DelayNext(5, TimeSpan.FromSeconds(10));
        using var timedOut = await http.PostAsJsonAsync(fixture.Route("llm-deadline/v1/chat/completions"), Chat(), Cancellation);
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("request timeout", (string)JsonNode.Parse(await timedOut.Content.ReadAsStringAsync(Cancellation))!["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnA2aRoutesRateLimit_RefusesInJsonRpc_WithRetryAfter_AndTheReasonAV10ClientReads()
    {
        using var http = new HttpClient();
        HttpRequestMessage GetTask()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, fixture.Route("agent-limited"))
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":9,"method":"GetTask","params":{"id":"task-1"}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("A2A-Version", "1.0");
            return request;
        }

        try
        {
            using (var first = await http.SendAsync(GetTask(), Cancellation))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            }

            using var limited = await http.SendAsync(GetTask(), Cancellation);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.NotNull(limited.Headers.RetryAfter);
            var error = JsonNode.Parse(await limited.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal(-32029, (int)error["code"]!);
            Assert.Equal(("RATE_LIMITED", "agentgateway"), ((string?)error["data"]![0]!["reason"], (string?)error["data"]![0]!["domain"]));
        }
        finally
        {
            fixture.Agent.Reset();
        }
    }

    [Fact]
    public async Task AnA2aRoutesRetry_SendsAReadAgain_ButNotAMessage_AndItsBackendTimeout_AnswersInJsonRpc()
    {
        using var http = new HttpClient();
        static StringContent JsonRpc(string method, object parameters) =>
            new(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 7, method, @params = parameters }), System.Text.Encoding.UTF8, "application/json");

        // A read the agent answers 503 once is sent again, and the client sees the second answer.
        fixture.Agent.FailNext(1, StatusCodes.Status503ServiceUnavailable);
        using (var read = await http.PostAsync(fixture.Route("agent"), JsonRpc("tasks/get", new { id = "task-1" }), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        Assert.Equal(2, fixture.Agent.Requests.Count);

        // Sending a message is not a read: the agent's 503 is the answer, and it was sent once.
        fixture.Agent.Reset();
        fixture.Agent.FailNext(1, StatusCodes.Status503ServiceUnavailable);
        var message = new { message = new { role = "user", messageId = "m-1", parts = new[] { new { kind = "text", text = "once" } } } };
        using (var sent = await http.PostAsync(fixture.Route("agent"), JsonRpc("message/send", message), Cancellation))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, sent.StatusCode);
        }

        Assert.Single(fixture.Agent.Requests);

        // An agent slower than the route's backend timeout: 504, as an A2A JSON-RPC error with the request's id.
        fixture.Agent.Reset();
        fixture.Agent.DelayNext(1, TimeSpan.FromSeconds(3));
        using var late = await http.PostAsync(fixture.Route("agent-slow"), JsonRpc("tasks/get", new { id = "task-1" }), Cancellation);
        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        var error = JsonNode.Parse(await late.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal(7, (int)error["id"]!);
        Assert.NotNull(error["error"]?["code"]);
    }

    [Fact]
    public async Task APolicyThatWouldHaveNoEffect_RefusesItsRoute_WithTheReason()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(fixture.Route("mcp-mirrored"), new StringContent("{}"), Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'mirrors' has no effect on mcp routes", fixture.Proxy.Output, StringComparison.Ordinal);
    }
}
