using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Federation;

/// <summary>The proxy in standalone mode (a YAML file it watches) in front of the two sample servers.</summary>
public sealed class StandaloneProxyFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-proxy-" + Guid.NewGuid().ToString("N"));

    public SampleServerFixture Samples { get; } = new();

    public ServiceProcess Proxy { get; private set; } = null!;

    public string ConfigFile => Path.Combine(_directory, "gateway.yaml");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await Samples.InitializeAsync();
        await File.WriteAllTextAsync(ConfigFile, StandaloneFederationTests.Config(("utils", Samples.UtilsEndpoint)), TestContext.Current.CancellationToken);
        Proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Gateway:ConfigFile"] = ConfigFile,
        }, TestContext.Current.CancellationToken);
        await Proxy.WaitUntilReadyAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Samples.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// The proxy in standalone mode federating real MCP servers, driven by the MCP C# SDK client. Each test writes the
/// config it needs and waits for the proxy to apply it.
/// </summary>
public sealed class StandaloneFederationTests(StandaloneProxyFixture fixture) : IClassFixture<StandaloneProxyFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private SampleServerFixture Samples => fixture.Samples;

    private string ConfigFile => fixture.ConfigFile;

    [Fact]
    public async Task ToolsList_WithTwoTargets_PrefixesNames_AndCallsReachTheRightTarget()
    {
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint), ("notes", Samples.NotesEndpoint)), names => names.Contains("notes_add_note") && names.Contains("utils_echo"));
        await using var client = await ConnectAsync();
        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).ToList();
        Assert.Contains("utils_echo", names);
        Assert.Contains("notes_add_note", names);
        Assert.All(names, name => Assert.True(name.StartsWith("utils_", StringComparison.Ordinal) || name.StartsWith("notes_", StringComparison.Ordinal), name));

        var echoed = await client.CallToolAsync("utils_echo", new Dictionary<string, object?> { ["message"] = "federated" }, cancellationToken: Cancellation);
        Assert.Equal("federated", Assert.IsType<TextContentBlock>(Assert.Single(echoed.Content)).Text);
        var added = await client.CallToolAsync("notes_add_note", new Dictionary<string, object?> { ["title"] = "t", ["content"] = "from the gateway" }, cancellationToken: Cancellation);
        Assert.Contains("from the gateway", Assert.IsType<TextContentBlock>(added.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMcpAppsView_KeepsItsUiScheme_UnderPrefixing_AndItsToolNamesItAsTheRouteListsIt()
    {
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint), ("notes", Samples.NotesEndpoint)), names => names.Contains("notes_add_note") && names.Contains("utils_clock"));
        await using var client = await ConnectAsync();

        // The view is listed under a ui:// URI that names its target, so hosts still know it for an app's view.
        var view = Assert.Single(await client.ListResourcesAsync(cancellationToken: Cancellation), resource => resource.Name == "clock-view");
        Assert.Equal("ui://utils/utils/clock", view.Uri);
        Assert.Equal("text/html;profile=mcp-app", view.MimeType);

        // The tool points at that same URI, and reading it reaches the right target.
        var clock = Assert.Single(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "utils_clock");
        Assert.Equal(view.Uri, clock.ProtocolTool.Meta?["ui"]?["resourceUri"]?.GetValue<string>());
        var read = await client.ReadResourceAsync(view.Uri, cancellationToken: Cancellation);
        var html = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.Equal(view.Uri, html.Uri);
        Assert.Contains("<div id=\"clock\">", html.Text, StringComparison.Ordinal);

        // A view URI no target has is a clean error, as for any unknown resource.
        await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("ui://nobody/clock", cancellationToken: Cancellation).AsTask());
    }

    [Fact]
    public async Task Tasks_OfATargetThatKeepsThem_AreFederated_UnderIdsThatNameTheTarget()
    {
        await using var everything = await NodeMcpServer.StartEverythingAsync(Cancellation);
        await ApplyAsync(
            Config(("utils", Samples.UtilsEndpoint), ("everything", everything.Endpoint)),
            names => names.Contains("everything_simulate-research-query") && names.Contains("utils_echo"));
        using var http = new HttpClient();
        var endpoint = new Uri(fixture.Proxy.BaseAddress, "/demo/mcp");

        // The gateway offers what its targets offer of tasks.
        using (var initialize = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = JsonContent.Create(McpTestClient.Request("initialize", new JsonObject
            {
                ["protocolVersion"] = "2025-11-25", ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "tests", ["version"] = "1" },
            })),
        })
        {
            initialize.Headers.Accept.ParseAdd("application/json");
            initialize.Headers.Accept.ParseAdd("text/event-stream");
            using var answered = await http.SendAsync(initialize, Cancellation);
            var text = await answered.Content.ReadAsStringAsync(Cancellation);
            var json = text.TrimStart().StartsWith('{') ? text : text.Split('\n').First(line => line.StartsWith("data: {", StringComparison.Ordinal))[6..];
            var tasks = JsonNode.Parse(json)!["result"]!["capabilities"]!["tasks"]!;
            Assert.NotNull(tasks["requests"]?["tools"]?["call"]);
            Assert.NotNull(tasks["list"]);
        }

        var session = await McpTestClient.OpenSessionAsync(http, endpoint, Cancellation);
        async Task<JsonObject> AskAsync(string method, JsonObject parameters)
        {
            var (_, answer) = await McpTestClient.PostAsync(http, endpoint, session, McpTestClient.Request(method, parameters), Cancellation);
            return answer!;
        }

        // A task-augmented call: the task's id names the target that keeps it.
        var created = await AskAsync("tools/call", new JsonObject
        {
            ["name"] = "everything_simulate-research-query",
            ["arguments"] = new JsonObject { ["topic"] = "gateways" },
            ["task"] = new JsonObject { ["ttl"] = 60_000 },
        });
        var taskId = created["result"]?["task"]?["taskId"]?.GetValue<string>();
        Assert.True(taskId?.StartsWith("everything_", StringComparison.Ordinal) == true, created.ToJsonString());

        // Polled through the gateway until the target finishes it (four stages of a second).
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        JsonObject status;
        while ((status = await AskAsync("tasks/get", new JsonObject { ["taskId"] = taskId }))["result"]?["status"]?.GetValue<string>() != "completed")
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, status.ToJsonString());
            Assert.Equal(taskId, status["result"]?["taskId"]?.GetValue<string>());
            await Task.Delay(250, Cancellation);
        }

        var result = await AskAsync("tasks/result", new JsonObject { ["taskId"] = taskId });
        Assert.Contains("gateways", result["result"]?["content"]?.ToJsonString() ?? result.ToJsonString(), StringComparison.Ordinal);
        var listed = await AskAsync("tasks/list", new JsonObject());
        Assert.Contains(taskId, listed["result"]!["tasks"]!.AsArray().Select(task => task!["taskId"]!.GetValue<string>()));

        // A task id no target keeps is a clean error, whichever target it names.
        foreach (var unknown in new[] { "nobody_t1", "utils_t1", "no-prefix" })
        {
            var error = await AskAsync("tasks/get", new JsonObject { ["taskId"] = unknown });
            Assert.NotNull(error["error"]);
        }

        // Back to the one target before the server goes, so that the next test's config is told from this one's.
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint)), names => names.Contains("echo"));
    }

    [Fact]
    public async Task ToolsCall_UnknownTool_IsAJsonRpcErrorNamingIt()
    {
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint), ("notes", Samples.NotesEndpoint)), names => names.Contains("notes_add_note") && names.Contains("utils_echo"));
        await using var client = await ConnectAsync();
        var error = await Assert.ThrowsAsync<McpProtocolException>(() =>
            client.CallToolAsync("utils_no_such_tool", cancellationToken: Cancellation).AsTask());
        Assert.Contains("utils_no_such_tool", error.Message, StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("nobody_echo", cancellationToken: Cancellation).AsTask());
        Assert.Contains("nobody_echo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetDown_IsSkippedInLists_AndCallsToItNameTheTarget()
    {
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint), ("down", new Uri("http://127.0.0.1:9/mcp"))),
            names => names.Contains("utils_echo") && names.All(name => name.StartsWith("utils_", StringComparison.Ordinal)));

        await using var client = await ConnectAsync();
        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).ToList();
        Assert.Contains("utils_echo", names);
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("down_anything", cancellationToken: Cancellation).AsTask());
        Assert.Contains("'down'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_Edited_IsHotReloaded_AndABadFileKeepsTheLastGoodConfig()
    {
        // One target: no prefix.
        await ApplyAsync(Config(("utils", Samples.UtilsEndpoint)), names => names.Contains("echo"));

        // A file that does not parse, and one that does not validate, change nothing.
        await File.WriteAllTextAsync(ConfigFile, "routes: [ this is : not yaml", Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);
        await File.WriteAllTextAsync(ConfigFile, Config(("Bad_Name", Samples.NotesEndpoint)), Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);

        await using var client = await ConnectAsync();
        Assert.Contains("echo", (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name));
        Assert.Contains("was not applied", fixture.Proxy.Output, StringComparison.Ordinal);
    }

    private Task<McpClient> ConnectAsync() =>
        SampleServerFixture.ConnectAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/mcp"), Cancellation);

    /// <summary>Writes the config file and waits until the route's tool names satisfy <paramref name="condition"/>.</summary>
    private async Task ApplyAsync(string config, Func<List<string>, bool> condition)
    {
        await File.WriteAllTextAsync(ConfigFile, config, Cancellation);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using (var client = await ConnectAsync())
            {
                var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).ToList();
                if (condition(names))
                {
                    return;
                }
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The proxy did not pick up the edited config file.");
            await Task.Delay(100, Cancellation);
        }
    }

    internal static string Config(params (string Name, Uri Url)[] targets) =>
        "routes:\n  - tenant: demo\n    name: mcp\n    path: /demo/mcp\n    mcp:\n      targets:\n"
        + string.Concat(targets.Select(target => $"        - name: {target.Name}\n          streamableHttp:\n            url: {target.Url}\n"));
}
