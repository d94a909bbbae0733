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
            names => names.Contains("utils_echo") && !names.Any(name => name.StartsWith("notes_", StringComparison.Ordinal)));

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
