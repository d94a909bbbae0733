using System.Diagnostics;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// server-everything behind the gateway in each of its modes — Streamable HTTP, the legacy SSE transport and a
/// local stdio process — one route each.
/// </summary>
public sealed class EverythingModesFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-everything-" + Guid.NewGuid().ToString("N"));

    public NodeMcpServer Streamable { get; private set; } = null!;

    public NodeMcpServer LegacySse { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        Streamable = await NodeMcpServer.StartEverythingAsync(cancellationToken);
        LegacySse = await NodeMcpServer.StartEverythingAsync(cancellationToken, legacySse: true);
        string Route(string name, string target) =>
            $"  - tenant: demo\n    name: {name}\n    path: /demo/{name}\n    mcp:\n      targets:\n        - name: everything\n{target}";
        var config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(
            config,
            "routes:\n"
            + Route("streamable", $"          streamableHttp:\n            url: {Streamable.Endpoint}\n")
            + Route("sse", $"          sse:\n            url: {LegacySse.Endpoint}\n")
            + Route("stdio", $"          stdio:\n            command: node\n            args: [\"{NodeMcpServer.EverythingScript}\"]\n"),
            cancellationToken);
        Proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string> { ["Gateway:ConfigFile"] = config }, cancellationToken);
        await Proxy.WaitUntilReadyAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        foreach (var server in new[] { Streamable, LegacySse })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>
/// The official TypeScript SDK client (<c>@modelcontextprotocol/sdk</c>, tests/node/clients/sdk-round-trips.mjs)
/// through the gateway: tools, prompts, resources, progress, sampling and elicitation round trips, against
/// server-everything in each mode, and over both client transports.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class TypeScriptSdkTests(EverythingModesFixture fixture) : IClassFixture<EverythingModesFixture>
{
    [Theory]
    [InlineData("streamable", "streamable")]
    [InlineData("sse", "streamable")]
    [InlineData("stdio", "streamable")]
    [InlineData("streamable", "sse")]
    public async Task EveryRoundTrip_WorksThroughTheGateway(string targetMode, string clientTransport)
    {
        var path = $"/demo/{targetMode}" + (clientTransport == "sse" ? "/sse" : string.Empty);
        var report = await RunClientAsync(clientTransport, new Uri(fixture.Proxy.BaseAddress, path));

        Assert.Equal("agentgateway", report.GetProperty("server").GetString());
        Assert.Contains("trigger-sampling-request", report.GetProperty("tools").EnumerateArray().Select(tool => tool.GetString()));
        Assert.Contains("through the gateway", report.GetProperty("echo").GetString(), StringComparison.Ordinal);
        Assert.Contains("simple-prompt", report.GetProperty("prompts").EnumerateArray().Select(prompt => prompt.GetString()));
        Assert.Contains("Lisbon", report.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("resourceCount").GetInt32() > 0);
        Assert.Equal(report.GetProperty("firstUri").GetString(), report.GetProperty("readUri").GetString());
        var progress = report.GetProperty("progress").EnumerateArray().Select(value => value.GetInt32()).ToList();
        if (clientTransport == "sse")
        {
            // The gateway sends all three before the result (in order); the SDK's SSE client transport sometimes
            // drops the last one that arrives together with the result.
            Assert.True(progress.Count >= 2 && progress.SequenceEqual(Enumerable.Range(1, progress.Count)), string.Join(",", progress));
        }
        else
        {
            Assert.Equal([1, 2, 3], progress);
        }
        Assert.Contains("a haiku", report.GetProperty("samplingPrompt").GetString(), StringComparison.Ordinal);
        Assert.Contains("a reply from the TypeScript client", report.GetProperty("sampling").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(report.GetProperty("elicitationMessage").GetString()));
        Assert.Contains("Ada Lovelace", report.GetProperty("elicitation").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RunClientAsync(string transport, Uri endpoint)
    {
        var script = Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "clients", "sdk-round-trips.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(transport);
        start.ArgumentList.Add(endpoint.ToString());
        using var process = Process.Start(start)!;
        ChildProcesses.Track(process);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"The TypeScript client failed:\n{await errors}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
