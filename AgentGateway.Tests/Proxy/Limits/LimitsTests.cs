using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;

namespace AgentGateway.Tests.Proxy.Limits;

/// <summary>A standalone proxy with small limits, in front of the sample servers, a local stdio server and an echo upstream.</summary>
public sealed class LimitsFixture : IAsyncLifetime
{
    public SampleServerFixture Samples { get; } = new();

    public EchoUpstream Echo { get; private set; } = null!;

    public OtlpReceiver Telemetry { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await Samples.InitializeAsync();
        Echo = await EchoUpstream.StartAsync();
        Telemetry = await OtlpReceiver.StartAsync();
        object Mcp(string name, object target) => new { tenant = "acme", name, path = $"/acme/{name}", mcp = new { targets = new[] { target } } };
        var utils = new { name = "utils", streamableHttp = new { url = Samples.UtilsEndpoint.ToString() } };
        var settings = new Dictionary<string, string>(Telemetry.Settings(TimeSpan.FromMilliseconds(300)))
        {
            ["Limits:MaxUpstreamMessageBytes"] = "65536",
            ["Limits:MaxRequestBodyBytes"] = "4096",
            ["Mcp:MaxRequestBodySize"] = "204800",
            ["Mcp:MaxSessionsPerRoute"] = "2",
            ["Mcp:MaxStdioProcessesPerRoute"] = "1",
        };
        Proxy = await StandaloneProxy.StartAsync(new
        {
            routes = new object[]
            {
                Mcp("big", utils),
                Mcp("sessions", utils),
                Mcp("local", new { name = "local", stdio = new { command = "node", args = new[] { NodeMcpServer.EverythingScript } } }),
                new { tenant = "acme", name = "api", match = new { pathPrefix = "/acme/api" }, http = new { destinations = new[] { new { name = "echo", url = Echo.Address.ToString() } } } },
            },
        }, cancellationToken, settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Echo is not null)
        {
            await Echo.DisposeAsync();
        }

        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }

        await Samples.DisposeAsync();
    }
}

/// <summary>
/// Every bound answers in the caller's protocol and is counted: an upstream answer larger than the proxy reads, sessions
/// and local processes past a route's share, request bodies past their size.
/// </summary>
public sealed class LimitsTests(LimitsFixture fixture) : IClassFixture<LimitsFixture>
{
    private const string Stateful = "2025-11-25";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnUpstreamAnswerLargerThanTheProxyReads_IsThatTargetsError_AndTheSessionGoesOn()
    {
        await using var client = await SampleServerFixture.ConnectAsync(fixture.Route("big"), Cancellation);
        var failure = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = new string('x', 100_000) }, cancellationToken: Cancellation));
        Assert.Contains("larger than the gateway reads (64 KiB)", failure.Message, StringComparison.Ordinal);

        var small = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still here" }, cancellationToken: Cancellation);
        Assert.Contains("still here", ((ModelContextProtocol.Protocol.TextContentBlock)small.Content[0]).Text, StringComparison.Ordinal);
        Assert.True(await fixture.Telemetry.WaitForAsync("agentgateway.limit.exceeded", new Dictionary<string, string> { ["limit"] = "upstream_message" }, Cancellation) >= 1);
    }

    [Fact]
    public async Task SessionsPastTheRoutesShare_Are429InJsonRpc_UntilOneCloses()
    {
        // Sessions of the stateful revision: the stateless one shares one per caller.
        var first = await SampleServerFixture.ConnectAsync(fixture.Route("sessions"), Cancellation, Stateful);
        await using var second = await SampleServerFixture.ConnectAsync(fixture.Route("sessions"), Cancellation, Stateful);

        using var refused = await McpTestClient.InitializeAsync(fixture.Route("sessions"), Cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal(-32003, (int)error["code"]!);
        Assert.Contains("holds 2 sessions", (string)error["message"]!, StringComparison.Ordinal);

        // Closing a session (DELETE) makes room.
        await first.DisposeAsync();
        await using var third = await SampleServerFixture.ConnectAsync(fixture.Route("sessions"), Cancellation, Stateful);
        Assert.True(await fixture.Telemetry.WaitForAsync("agentgateway.limit.exceeded", new Dictionary<string, string> { ["limit"] = "mcp_sessions_per_route" }, Cancellation) >= 1);
    }

    [Fact]
    public async Task LocalProcessesPastTheRoutesShare_FailInTheTargetsName_UntilOneEnds()
    {
        var first = await SampleServerFixture.ConnectAsync(fixture.Route("local"), Cancellation, Stateful);
        await first.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "one" }, cancellationToken: Cancellation);
        await using var second = await SampleServerFixture.ConnectAsync(fixture.Route("local"), Cancellation, Stateful);
        var failure = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await second.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "two" }, cancellationToken: Cancellation));
        Assert.Contains("runs 1 local processes", failure.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                await second.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "two" }, cancellationToken: Cancellation);
                break;
            }
            catch (McpProtocolException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(200, Cancellation);
            }
        }
    }

    [Fact]
    public async Task ARequestBodyPastItsSize_Is413()
    {
        using var http = new HttpClient();
        using var small = await http.PostAsync(fixture.Route("api/items"), new StringContent(new string('a', 1000), Encoding.UTF8, "text/plain"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        using var large = await http.PostAsync(fixture.Route("api/items"), new StringContent(new string('a', 8000), Encoding.UTF8, "text/plain"), Cancellation);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task AnMcpBody_IsBoundByMcpsOwnSize_NotOtherRoutes_AndPastItIs413InJsonRpc()
    {
        // Streamed without a length, so that the bound is met while reading, not from the header.
        async Task<HttpResponseMessage> InitializeAsync(int padding)
        {
            var body = new JsonObject
            {
                ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = "initialize",
                ["params"] = new JsonObject
                {
                    ["protocolVersion"] = Stateful, ["capabilities"] = new JsonObject(),
                    ["clientInfo"] = new JsonObject { ["name"] = "limits", ["version"] = "1" }, ["padding"] = new string('p', padding),
                },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Route("big"))
            {
                Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString()))),
            };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TransferEncodingChunked = true;
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            using var http = new HttpClient();
            return await http.SendAsync(request, Cancellation);
        }

        // Twice the HTTP routes' bound (4 KiB), within MCP's (200 KiB).
        using var accepted = await InitializeAsync(8000);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        using var refused = await InitializeAsync(300_000);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal(-32600, (int)error["code"]!);
        Assert.Contains("exceeds 204800 bytes", (string)error["message"]!, StringComparison.Ordinal);
        Assert.True(await fixture.Telemetry.WaitForAsync("agentgateway.limit.exceeded", new Dictionary<string, string> { ["limit"] = "request_body" }, Cancellation) >= 1);
    }
}
