using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy;

/// <summary>
/// The proxy in standalone mode (a YAML file) federating real MCP servers, driven by the MCP C# SDK client.
/// </summary>
public sealed class StandaloneFederationTests : IAsyncLifetime
{
    private readonly SampleServerFixture _samples = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-proxy-" + Guid.NewGuid().ToString("N"));
    private ServiceProcess? _proxy;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string ConfigFile => Path.Combine(_directory, "gateway.yaml");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await _samples.InitializeAsync();
        await File.WriteAllTextAsync(ConfigFile, Config(("utils", _samples.UtilsEndpoint), ("notes", _samples.NotesEndpoint)), Cancellation);
        _proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Gateway:ConfigFile"] = ConfigFile,
        }, Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await _samples.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ToolsList_WithTwoTargets_PrefixesNames_AndCallsReachTheRightTarget()
    {
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
        await File.WriteAllTextAsync(ConfigFile, Config(("utils", _samples.UtilsEndpoint), ("down", new Uri("http://127.0.0.1:9/mcp"))), Cancellation);
        await WaitForAsync(async client => (await client.ListToolsAsync(cancellationToken: Cancellation)).All(tool => !tool.Name.StartsWith("notes_", StringComparison.Ordinal)));

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
        await File.WriteAllTextAsync(ConfigFile, Config(("utils", _samples.UtilsEndpoint)), Cancellation);
        await WaitForAsync(async client => (await client.ListToolsAsync(cancellationToken: Cancellation)).Any(tool => tool.Name == "echo"));

        // A file that does not parse, and one that does not validate, change nothing.
        await File.WriteAllTextAsync(ConfigFile, "routes: [ this is : not yaml", Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);
        await File.WriteAllTextAsync(ConfigFile, Config(("Bad_Name", _samples.NotesEndpoint)), Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);

        await using var client = await ConnectAsync();
        Assert.Contains("echo", (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name));
        Assert.Contains("was not applied", _proxy!.Output, StringComparison.Ordinal);
    }

    private Task<McpClient> ConnectAsync() =>
        SampleServerFixture.ConnectAsync(new Uri(_proxy!.BaseAddress, "/demo/mcp"), Cancellation);

    private async Task WaitForAsync(Func<McpClient, Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            await using (var client = await ConnectAsync())
            {
                if (await condition(client))
                {
                    return;
                }
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The proxy did not pick up the edited config file.");
            await Task.Delay(100, Cancellation);
        }
    }

    private static string Config(params (string Name, Uri Url)[] targets) =>
        "routes:\n  - tenant: demo\n    name: mcp\n    path: /demo/mcp\n    mcp:\n      targets:\n"
        + string.Concat(targets.Select(target => $"        - name: {target.Name}\n          streamableHttp:\n            url: {target.Url}\n"));
}
