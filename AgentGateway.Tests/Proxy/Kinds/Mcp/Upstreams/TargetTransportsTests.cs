using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// A standalone proxy federating targets over every upstream transport: the utilities sample (Streamable HTTP),
/// server-everything over the legacy HTTP+SSE transport, server-everything as a local stdio process (all three offer a
/// tool named <c>echo</c>), and the notes sample's REST API through its OpenAPI document.
/// </summary>
public sealed class TargetTransportsFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-transports-" + Guid.NewGuid().ToString("N"));

    public SampleServerFixture Samples { get; } = new();

    public NodeMcpServer LegacySse { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    /// <summary>Set in the stdio processes' environment, to find them among the machine's processes.</summary>
    public string ProcessMarker { get; } = Guid.NewGuid().ToString("N");

    /// <summary>In the proxy's own environment only: a credential of the proxy's that no stdio process may see.</summary>
    public string ProxySecret { get; } = "proxy-only-" + Guid.NewGuid().ToString("N");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        await Samples.InitializeAsync();
        LegacySse = await NodeMcpServer.StartEverythingAsync(cancellationToken, legacySse: true);
        var config = Path.Combine(_directory, "gateway.yaml");
        string Targets() =>
            $"        - name: utils\n          streamableHttp:\n            url: {Samples.UtilsEndpoint}\n"
            + $"        - name: web\n          sse:\n            url: {LegacySse.Endpoint}\n"
            + $"        - name: local\n          stdio:\n            command: node\n            args: [\"{NodeMcpServer.EverythingScript}\"]\n"
            + $"            env:\n              AGW_TEST_MARKER: {ProcessMarker}\n"
            + $"        - name: rest\n          openapi:\n            specUrl: {new Uri(Samples.NotesEndpoint, "/openapi/v1.json")}\n";
        await File.WriteAllTextAsync(
            config,
            "routes:\n"
            + "  - tenant: demo\n    name: mcp\n    path: /demo/mcp\n    mcp:\n      targets:\n" + Targets()
            + "  - tenant: demo\n    name: flat\n    path: /demo/flat\n    mcp:\n      prefixMode: never\n      targets:\n" + Targets(),
            cancellationToken);
        Proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string> { ["Gateway:ConfigFile"] = config }, cancellationToken,
            environment: new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = ProxySecret, ["Xds__ClientSecret"] = ProxySecret });
        await Proxy.WaitUntilReadyAsync(cancellationToken);
    }

    /// <summary>The environment of a process, as its variables.</summary>
    public static Dictionary<string, string> EnvironmentOf(int processId) =>
        File.ReadAllText($"/proc/{processId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2)).Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0], StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.First()[1], StringComparer.Ordinal);

    /// <summary>The ids of the processes that carry <see cref="ProcessMarker"/> in their environment.</summary>
    public HashSet<int> StdioProcesses() => [.. Directory.EnumerateDirectories("/proc")
        .Select(directory => (Directory: directory, Id: int.TryParse(Path.GetFileName(directory), out var id) ? id : 0))
        .Where(process => process.Id > 0 && CarriesMarker(process.Directory))
        .Select(process => process.Id)];

    private bool CarriesMarker(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "environ")).Contains(ProcessMarker, StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (LegacySse is not null)
        {
            await LegacySse.DisposeAsync();
        }

        await Samples.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

public sealed class TargetTransportsTests(TargetTransportsFixture fixture) : IClassFixture<TargetTransportsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeTargetsWithCollidingNames_OverHttpSseAndStdio_AreFederatedAndEachCallReachesItsTarget()
    {
        await using var client = await SampleServerFixture.ConnectAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/mcp"), Cancellation);
        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).ToList();
        Assert.Contains("utils_echo", names);
        Assert.Contains("web_echo", names);
        Assert.Contains("local_echo", names);
        Assert.Contains("local_trigger-long-running-operation", names);

        foreach (var target in new[] { "utils", "web", "local" })
        {
            var result = await client.CallToolAsync($"{target}_echo", new Dictionary<string, object?> { ["message"] = $"via {target}" }, cancellationToken: Cancellation);
            Assert.Contains($"via {target}", Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);
        }

        // Prompts of the connection-bound targets are federated too.
        var prompts = (await client.ListPromptsAsync(cancellationToken: Cancellation)).Select(prompt => prompt.Name).ToList();
        Assert.Contains("web_simple-prompt", prompts);
        Assert.Contains("local_simple-prompt", prompts);
    }

    [Fact]
    public async Task PrefixModeNever_HidesCollidingNames_AndACallOfAnAmbiguousNameNamesTheTargets()
    {
        await using var client = await SampleServerFixture.ConnectAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/flat"), Cancellation);
        var names = (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).ToList();
        Assert.Single(names, name => name == "echo");
        Assert.Contains("get-sum", names);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() =>
            client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "x" }, cancellationToken: Cancellation).AsTask());
        Assert.Contains("utils, web, local", error.Message, StringComparison.Ordinal);

        // A name only one target offers routes to it.
        var uuid = await client.CallToolAsync("uuid", cancellationToken: Cancellation);
        Assert.True(Guid.TryParse(Assert.IsType<TextContentBlock>(uuid.Content[0]).Text, out _));
    }

    [Fact]
    public async Task LegacySseClient_ReachesTheRouteThroughItsSseEndpoint()
    {
        await using var client = await ModelContextProtocol.Client.McpClient.CreateAsync(
            new ModelContextProtocol.Client.HttpClientTransport(new ModelContextProtocol.Client.HttpClientTransportOptions
            {
                Endpoint = new Uri(fixture.Proxy.BaseAddress, "/demo/mcp/sse"),
                TransportMode = ModelContextProtocol.Client.HttpTransportMode.Sse,
            }),
            cancellationToken: Cancellation);
        Assert.Contains(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "local_echo");
        var result = await client.CallToolAsync("web_echo", new Dictionary<string, object?> { ["message"] = "old client" }, cancellationToken: Cancellation);
        Assert.Contains("old client", Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);

        // A message endpoint with an unknown session is refused.
        using var http = new HttpClient();
        using var stray = await http.PostAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/mcp/message?sessionId=nope"),
            new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"), Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, stray.StatusCode);
    }

    [Fact]
    public async Task OpenApiTarget_EveryOperationIsATool_AndACallIsARealHttpRequest()
    {
        await using var client = await SampleServerFixture.ConnectAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/mcp"), Cancellation);
        var tools = (await client.ListToolsAsync(cancellationToken: Cancellation)).ToDictionary(tool => tool.Name);
        Assert.Contains("rest_listNotes", tools.Keys);
        Assert.Contains("rest_deleteNote", tools.Keys);

        // The JSON body's fields and the path parameters make the input schema.
        var createSchema = tools["rest_createNote"].JsonSchema.GetProperty("properties");
        Assert.True(createSchema.TryGetProperty("title", out _));
        Assert.True(createSchema.TryGetProperty("content", out _));
        Assert.Contains("id", tools["rest_getNote"].JsonSchema.GetProperty("required").EnumerateArray().Select(name => name.GetString()));

        var created = await client.CallToolAsync("rest_createNote", new Dictionary<string, object?> { ["title"] = "via openapi", ["content"] = "a REST call" }, cancellationToken: Cancellation);
        Assert.NotEqual(true, created.IsError);
        var id = created.StructuredContent!.Value.GetProperty("id").GetString()!;
        var read = await client.CallToolAsync("rest_getNote", new Dictionary<string, object?> { ["id"] = id }, cancellationToken: Cancellation);
        Assert.Contains("a REST call", Assert.IsType<TextContentBlock>(read.Content[0]).Text, StringComparison.Ordinal);

        // The API's refusal is a tool error with its status, not a protocol error.
        var missing = await client.CallToolAsync("rest_getNote", new Dictionary<string, object?> { ["id"] = "999999" }, cancellationToken: Cancellation);
        Assert.True(missing.IsError);
        Assert.Contains("404", Assert.IsType<TextContentBlock>(missing.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StdioProcess_GetsACleanEnvironment_AndEndsWithItsSession()
    {
        // Other tests' sessions may be starting or ending processes meanwhile: follow this session's own.
        var before = fixture.StdioProcesses();
        var client = await SampleServerFixture.ConnectAsync(new Uri(fixture.Proxy.BaseAddress, "/demo/mcp"), Cancellation, "2025-11-25");
        await client.CallToolAsync("local_echo", new Dictionary<string, object?> { ["message"] = "hello" }, cancellationToken: Cancellation);
        var started = fixture.StdioProcesses();
        started.ExceptWith(before);
        Assert.Single(started);

        // The process has what the route gives it and what a program needs, and nothing else of the proxy's environment.
        var environment = TargetTransportsFixture.EnvironmentOf(started.Single());
        Assert.Equal(fixture.ProcessMarker, environment["AGW_TEST_MARKER"]);
        Assert.True(environment.ContainsKey("PATH"));
        Assert.DoesNotContain(environment, variable => variable.Value.Contains(fixture.ProxySecret, StringComparison.Ordinal));
        Assert.False(environment.ContainsKey("ASPNETCORE_ENVIRONMENT"), string.Join(", ", environment.Keys));

        // Closing the client sends DELETE: the session's process goes with it.
        await client.DisposeAsync();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (fixture.StdioProcesses().Overlaps(started))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The stdio process outlived its session.");
            await Task.Delay(100, Cancellation);
        }
    }
}
