using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// Two standalone proxies sharing one config file (and so its session keys) in front of the utilities sample and
/// server-everything. Replica B closes sessions idle for two seconds and lets a session have two requests in flight.
/// </summary>
public sealed class TwoReplicasFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-replicas-" + Guid.NewGuid().ToString("N"));

    public SampleServerFixture Samples { get; } = new();

    public NodeMcpServer Everything { get; set; } = null!;

    public ServiceProcess ReplicaA { get; private set; } = null!;

    public ServiceProcess ReplicaB { get; private set; } = null!;

    public string ConfigFile => Path.Combine(_directory, "gateway.yaml");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        await Samples.InitializeAsync();
        Everything = await NodeMcpServer.StartEverythingAsync(cancellationToken);
        await File.WriteAllTextAsync(ConfigFile, Config(), cancellationToken);
        ReplicaA = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string> { ["Gateway:ConfigFile"] = ConfigFile }, cancellationToken);
        ReplicaB = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Gateway:ConfigFile"] = ConfigFile,
            ["Mcp:SessionIdleTimeout"] = "00:00:02",
            ["Mcp:MaxConcurrentRequestsPerSession"] = "2",
        }, cancellationToken);
        await ReplicaA.WaitUntilReadyAsync(cancellationToken);
        await ReplicaB.WaitUntilReadyAsync(cancellationToken);
    }

    /// <summary>The shared config: <c>/demo/mcp</c> federates both servers, <c>/other/mcp</c> only the sample.</summary>
    public string Config(bool withEverything = true)
    {
        var key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));
        var everything = withEverything
            ? $"        - name: everything\n          streamableHttp:\n            url: {Everything.Endpoint}\n"
            : string.Empty;
        return "sessionKeys:\n"
            + $"  - id: shared\n    key: \"{key}\"\n    primary: true\n"
            + "routes:\n"
            + "  - tenant: demo\n    name: mcp\n    path: /demo/mcp\n    mcp:\n      targets:\n"
            + $"        - name: utils\n          streamableHttp:\n            url: {Samples.UtilsEndpoint}\n"
            + everything
            + "  - tenant: other\n    name: mcp\n    path: /other/mcp\n    mcp:\n      targets:\n"
            + $"        - name: utils\n          streamableHttp:\n            url: {Samples.UtilsEndpoint}\n";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { ReplicaA, ReplicaB })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (Everything is not null)
        {
            await Everything.DisposeAsync();
        }

        await Samples.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// Sessions whose state travels in the sealed session id, and full federation, spoken both raw (to move a session
/// between replicas) and through the MCP C# SDK client.
/// </summary>
public sealed class McpSessionTests(TwoReplicasFixture fixture) : IClassFixture<TwoReplicasFixture>
{
    /// <summary>The revision with sessions and a GET stream, for the tests about them.</summary>
    private const string Session = "2025-11-25";

    private static readonly HttpClient s_http = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Uri EndpointA => new(fixture.ReplicaA.BaseAddress, "/demo/mcp");

    private Uri EndpointB => new(fixture.ReplicaB.BaseAddress, "/demo/mcp");

    [Fact]
    public async Task SessionOpenedOnOneReplica_ContinuesOnAnother_AndTamperedOrForeignIdsAreRejected()
    {
        var sessionId = await InitializeAsync(EndpointA);

        // Replica B never saw the session, holds no state for it, and serves it.
        var (status, listed) = await PostAsync(EndpointB, sessionId, Request("tools/list"));
        Assert.Equal(HttpStatusCode.OK, status);
        var names = listed!["result"]!["tools"]!.AsArray().Select(tool => tool!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("utils_echo", names);
        Assert.Contains("everything_echo", names);
        var (_, called) = await PostAsync(EndpointB, sessionId, Request("tools/call", new JsonObject { ["name"] = "everything_echo", ["arguments"] = new JsonObject { ["message"] = "replica" } }));
        Assert.Contains("replica", called!["result"]!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

        // An altered id, an id of another route, and garbage are unknown sessions.
        var tampered = sessionId[..^6] + (sessionId[^6] == 'A' ? 'B' : 'A') + sessionId[^5..];
        foreach (var (endpoint, id) in new[] { (EndpointB, tampered), (new Uri(fixture.ReplicaB.BaseAddress, "/other/mcp"), sessionId), (EndpointA, "not-a-session") })
        {
            var (refusedStatus, refused) = await PostAsync(endpoint, id, Request("tools/list"));
            Assert.Equal(HttpStatusCode.NotFound, refusedStatus);
            Assert.Equal(-32001, refused!["error"]!["code"]!.GetValue<int>());
        }

        // DELETE ends the session on the replica that got it.
        using var delete = new HttpRequestMessage(HttpMethod.Delete, EndpointA);
        delete.Headers.Add("Mcp-Session-Id", sessionId);
        Assert.Equal(HttpStatusCode.OK, (await s_http.SendAsync(delete, Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(EndpointA, sessionId, Request("ping"))).Status);
    }

    [Fact]
    public async Task Endpoint_RefusesMalformedOversizedAndForeignRequests_InJsonRpc_AndCapsRequestsInFlight()
    {
        var sessionId = await InitializeAsync(EndpointA);
        foreach (var (body, status, code) in new[]
        {
            ("{not json", HttpStatusCode.BadRequest, -32700),
            ("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""", HttpStatusCode.BadRequest, -32600),
            ("""{"jsonrpc":"1.0","id":1,"method":"ping"}""", HttpStatusCode.BadRequest, -32600),
            ("""{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}""", HttpStatusCode.BadRequest, -32600),
            ("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[1]}""", HttpStatusCode.BadRequest, -32600),
            ("""{"jsonrpc":"2.0","id":1,"method":"no/such/method"}""", HttpStatusCode.OK, -32601),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + new string('x', 5 * 1024 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge, -32600),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, EndpointA) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            request.Headers.Add("Mcp-Session-Id", sessionId);
            using var response = await s_http.SendAsync(request, Cancellation);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(code, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["code"]!.GetValue<int>());
        }

        // A page of another site may not reach the gateway through the browser (DNS rebinding).
        using (var foreign = new HttpRequestMessage(HttpMethod.Post, EndpointA) { Content = JsonContent.Create(Request("ping")) })
        {
            foreign.Headers.Accept.ParseAdd("application/json, text/event-stream");
            foreign.Headers.Add("Mcp-Session-Id", sessionId);
            foreign.Headers.Add("Origin", "http://evil.example.com");
            Assert.Equal(HttpStatusCode.Forbidden, (await s_http.SendAsync(foreign, Cancellation)).StatusCode);
        }

        // Replica B lets a session have two requests in flight: the rest are refused until one ends.
        var slow = Request("tools/call", new JsonObject { ["name"] = "everything_trigger-long-running-operation", ["arguments"] = new JsonObject { ["duration"] = 2, ["steps"] = 2 } });
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(EndpointB, sessionId, (JsonObject)slow.DeepClone())));
        Assert.Equal(2, answers.Count(answer => answer.Status == HttpStatusCode.OK));
        Assert.All(answers.Where(answer => answer.Status != HttpStatusCode.OK), answer =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.Status);
            Assert.Equal(-32003, answer.Message!["error"]!["code"]!.GetValue<int>());
        });
    }

    [Fact]
    public async Task IdleSession_IsClosedOnTheReplicaWhereItIdled()
    {
        var sessionId = await InitializeAsync(EndpointA);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(EndpointB, sessionId, Request("ping"))).Status);

        // Replica B closes sessions idle for two seconds; A keeps its default.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
        while ((await PostAsync(EndpointB, sessionId, Request("ping"))).Status != HttpStatusCode.NotFound)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "Replica B did not close the idle session.");
            await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(EndpointA, sessionId, Request("ping"))).Status);
    }

    [Fact]
    public async Task PromptsResourcesAndTemplates_AreFederatedUnderTheirTargetsNames_AndRouteBack()
    {
        await using var direct = await SampleServerFixture.ConnectAsync(fixture.Everything.Endpoint, Cancellation);
        await using var client = await SampleServerFixture.ConnectAsync(EndpointA, Cancellation);

        var prompts = await client.ListPromptsAsync(cancellationToken: Cancellation);
        Assert.Contains(prompts, prompt => prompt.Name == "everything_simple-prompt");
        var prompt = await client.GetPromptAsync("everything_args-prompt", new Dictionary<string, object?> { ["city"] = "Lisbon" }, cancellationToken: Cancellation);
        Assert.Contains("Lisbon", Assert.IsType<TextContentBlock>(prompt.Messages[0].Content).Text, StringComparison.Ordinal);

        // Every resource of the target comes through, page by page under the gateway's cursors, with namespaced URIs.
        var expected = await direct.ListResourcesAsync(cancellationToken: Cancellation);
        var resources = await client.ListResourcesAsync(cancellationToken: Cancellation);
        Assert.Equal(expected.Select(resource => "everything+" + resource.Uri).Order(), resources.Select(resource => resource.Uri).Where(uri => uri.StartsWith("everything+", StringComparison.Ordinal)).Order());
        var read = await client.ReadResourceAsync(resources.First(resource => resource.Uri.StartsWith("everything+", StringComparison.Ordinal)).Uri, cancellationToken: Cancellation);
        Assert.StartsWith("everything+", read.Contents[0].Uri, StringComparison.Ordinal);

        var templates = await client.ListResourceTemplatesAsync(cancellationToken: Cancellation);
        var template = templates.First(candidate => candidate.UriTemplate.StartsWith("everything+demo://resource/dynamic/text/", StringComparison.Ordinal));
        var expanded = template.UriTemplate.Replace("{resourceId}", "7", StringComparison.Ordinal);
        var dynamic = await client.ReadResourceAsync(expanded, cancellationToken: Cancellation);
        Assert.Equal(expanded, dynamic.Contents[0].Uri);

        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("nobody+demo://x", cancellationToken: Cancellation).AsTask());
        Assert.Contains("nobody+demo://x", unknown.Message, StringComparison.Ordinal);
    }

    // Sampling is deprecated by the 2026-07-28 revision, but the stateful era the gateway relays it for still has it.
#pragma warning disable MCP9005
    /// <remarks>
    /// With the session revision the target's sampling request is relayed to the client as a request; with the
    /// stateless one (the SDK's default) the call is parked and the client gets input_required, whose answers the
    /// gateway hands to the target on the client's retry.
    /// </remarks>
    [Theory]
    [InlineData(Session)]
    [InlineData(null)]
    public async Task SamplingRequestsAndProgress_FromATarget_ReachTheClient_AndTheAnswerReachesTheTarget(string? protocolVersion)
    {
        var sampled = new TaskCompletionSource<string>();
        var options = new McpClientOptions
        {
            ProtocolVersion = protocolVersion,
            Handlers = new McpClientHandlers
            {
                SamplingHandler = (request, _, _) =>
                {
                    sampled.TrySetResult(request?.Messages.SelectMany(message => message.Content.OfType<TextContentBlock>()).Select(block => block.Text).FirstOrDefault() ?? string.Empty);
                    return ValueTask.FromResult(new CreateMessageResult
                    {
                        Content = [new TextContentBlock { Text = "an answer from the client" }],
                        Model = "test-model",
                        Role = Role.Assistant,
                    });
                },
            },
        };
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = EndpointA, TransportMode = HttpTransportMode.StreamableHttp }),
            options,
            cancellationToken: Cancellation);

        var result = await client.CallToolAsync("everything_trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "haiku", ["maxTokens"] = 20 }, cancellationToken: Cancellation);
        Assert.Contains("haiku", await sampled.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancellation), StringComparison.Ordinal);
        Assert.Contains("an answer from the client", string.Join(" ", result.Content.OfType<TextContentBlock>().Select(block => block.Text)), StringComparison.Ordinal);

        var progress = new List<ProgressNotificationValue>();
        var reporter = new SynchronousProgress(progress);
        await client.CallToolAsync("everything_trigger-long-running-operation", new Dictionary<string, object?> { ["duration"] = 1, ["steps"] = 3 }, reporter, cancellationToken: Cancellation);

        // The SDK client stops listening for the call's progress when its result arrives, and may drop the last
        // notification that came just before it; the ones it took came through the gateway with the client's token.
        lock (progress)
        {
            Assert.True(progress.Count >= 2, $"Only {progress.Count} progress notifications arrived.");
            Assert.All(progress, value => Assert.Equal(3, value.Total));
        }
    }
#pragma warning restore MCP9005

    [Fact]
    public async Task ClientCancellation_StopsTheCallAtTheTarget()
    {
        await using var client = await SampleServerFixture.ConnectAsync(EndpointA, Cancellation, Session);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        cancel.CancelAfter(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.CallToolAsync("utils_wait", new Dictionary<string, object?> { ["seconds"] = 60 }, cancellationToken: cancel.Token).AsTask());

        // The client's notifications/cancelled stops the upstream request, and with it the tool.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (!fixture.Samples.UtilsOutput.Contains("wait cancelled by the caller (60 s asked)", StringComparison.Ordinal))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The target's tool was not cancelled.");
            await Task.Delay(100, Cancellation);
        }
    }

    [Fact]
    public async Task RouteTargetsChanging_IsAnnouncedOnOpenStreams()
    {
        var changed = new TaskCompletionSource();
        await using var client = await SampleServerFixture.ConnectAsync(EndpointA, Cancellation, Session);
        await using var registration = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });
        Assert.Contains(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "everything_echo");

        // The client's GET stream is open once it has listed; the config change reaches it.
        await Task.Delay(TimeSpan.FromMilliseconds(500), Cancellation);
        try
        {
            await File.WriteAllTextAsync(fixture.ConfigFile, fixture.Config(withEverything: false), Cancellation);
            await changed.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
            Assert.DoesNotContain(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name.StartsWith("everything", StringComparison.Ordinal));
        }
        finally
        {
            await File.WriteAllTextAsync(fixture.ConfigFile, fixture.Config(), Cancellation);
            await WaitForToolAsync("everything_echo");
        }
    }

    /// <summary>Waits until both replicas serve <paramref name="tool"/> (after a config file edit).</summary>
    private async Task WaitForToolAsync(string tool)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var endpoint in new[] { EndpointA, EndpointB })
        {
            while (true)
            {
                await using (var client = await SampleServerFixture.ConnectAsync(endpoint, Cancellation))
                {
                    if ((await client.ListToolsAsync(cancellationToken: Cancellation)).Any(candidate => candidate.Name == tool))
                    {
                        break;
                    }
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"{endpoint} did not pick up the restored config.");
                await Task.Delay(100, Cancellation);
            }
        }
    }

    [Fact]
    public async Task TargetRestarted_ItsForgottenSessionIsReinitializedTransparently()
    {
        await using var client = await SampleServerFixture.ConnectAsync(EndpointA, Cancellation, Session);
        Assert.NotNull(await client.CallToolAsync("everything_echo", new Dictionary<string, object?> { ["message"] = "before" }, cancellationToken: Cancellation));

        // server-everything keeps sessions in memory: a restart forgets the gateway's upstream session.
        var port = fixture.Everything.Endpoint.Port;
        await fixture.Everything.DisposeAsync();
        fixture.Everything = await NodeMcpServer.StartEverythingAsync(Cancellation, port);

        var after = await client.CallToolAsync("everything_echo", new Dictionary<string, object?> { ["message"] = "after" }, cancellationToken: Cancellation);
        Assert.Contains("after", Assert.IsType<TextContentBlock>(after.Content[0]).Text, StringComparison.Ordinal);
    }

    private static JsonObject Request(string method, JsonObject? parameters = null) => McpTestClient.Request(method, parameters);

    private static Task<string> InitializeAsync(Uri endpoint) => McpTestClient.OpenSessionAsync(s_http, endpoint, Cancellation);

    private static Task<(HttpStatusCode Status, JsonObject? Message)> PostAsync(Uri endpoint, string sessionId, JsonObject message) =>
        McpTestClient.PostAsync(s_http, endpoint, sessionId, message, Cancellation);

    /// <summary>Records progress as it is reported (Progress&lt;T&gt; would post to the thread pool and race the assertion).</summary>
    private sealed class SynchronousProgress(List<ProgressNotificationValue> values) : IProgress<ProgressNotificationValue>
    {
        public int Count
        {
            get
            {
                lock (values)
                {
                    return values.Count;
                }
            }
        }

        public void Report(ProgressNotificationValue value)
        {
            lock (values)
            {
                values.Add(value);
            }
        }
    }
}
