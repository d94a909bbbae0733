using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGateway.Tests.Fixtures;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Conformance;

/// <summary>The conformance fixture server and a standalone proxy with one route in front of it (prefix mode never).</summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-conformance-" + Guid.NewGuid().ToString("N"));

    public ServiceProcess Server { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    /// <summary>The fixture as a server of the stateless revision only (it refuses initialize).</summary>
    public ServiceProcess StatelessOnlyServer { get; private set; } = null!;

    public Uri StatelessOnlyRoute => new(Proxy.BaseAddress, "/conformance/stateless-only");

    public Uri DirectEndpoint => new(Server.BaseAddress, "/mcp");

    public Uri GatewayEndpoint => new(Proxy.BaseAddress, "/conformance/mcp");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        Server = await ServiceProcess.StartAsync("tests/AgentGateway.ConformanceServer", new Dictionary<string, string>(), cancellationToken);
        StatelessOnlyServer = await ServiceProcess.StartAsync(
            "tests/AgentGateway.ConformanceServer", new Dictionary<string, string> { ["Conformance:StatelessOnly"] = "true" }, cancellationToken);
        var config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            routes:
              - tenant: conformance
                name: mcp
                path: /conformance/mcp
                mcp:
                  prefixMode: never
                  targets:
                    - name: fixture
                      streamableHttp:
                        url: {DirectEndpoint}
              - tenant: conformance
                name: stateless-only
                path: /conformance/stateless-only
                mcp:
                  targets:
                    - name: fixture
                      streamableHttp:
                        url: {new Uri(StatelessOnlyServer.BaseAddress, "/mcp")}
            """, cancellationToken);
        Proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string> { ["Gateway:ConfigFile"] = config }, cancellationToken);
        await Proxy.WaitUntilReadyAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        foreach (var server in new[] { Server, StatelessOnlyServer })
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
/// Runs the pinned official MCP conformance suite (tests/node, all suites: active, pending and draft) against the
/// fixture server directly and through the gateway, for the session revisions and the stateless one: every scenario
/// that passes directly must pass through the gateway. The suite's per-scenario results are
/// kept under <c>TestResults/conformance/{revision}/{direct|gateway}</c>.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class ConformanceSuiteTests(ConformanceFixture fixture) : IClassFixture<ConformanceFixture>
{
    [Theory]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    [InlineData("2026-07-28")]
    public async Task EveryScenarioPassingDirectly_PassesThroughTheGateway(string revision)
    {
        var results = Path.Combine(ServiceProcess.RepositoryRoot, "TestResults", "conformance", revision);
        var direct = await RunSuiteAsync(fixture.DirectEndpoint, Path.Combine(results, "direct"), revision);
        var gateway = await RunSuiteAsync(fixture.GatewayEndpoint, Path.Combine(results, "gateway"), revision);

        var passingDirectly = direct.Where(pair => pair.Value.Count == 0).Select(pair => pair.Key).ToList();
        Assert.Contains(revision == "2026-07-28" ? "input-required-result-basic-sampling" : "tools-call-sampling", passingDirectly);
        Assert.Contains(revision == "2026-07-28" ? "server-stateless" : "resources-subscribe", passingDirectly);
        Assert.True(passingDirectly.Count >= 25, $"Only {passingDirectly.Count} scenarios pass against the fixture itself.");

        var regressions = passingDirectly
            .Where(scenario => !gateway.TryGetValue(scenario, out var failures) || failures.Count > 0)
            .Select(scenario => $"{scenario}: {string.Join("; ", gateway.GetValueOrDefault(scenario) ?? ["did not run"])}")
            .ToList();
        Assert.True(regressions.Count == 0, $"Scenarios that pass directly but fail through the gateway:\n{string.Join("\n", regressions)}");
    }

    /// <remarks>
    /// A client of the session revision in front of a target of the stateless revision only: the gateway discovers
    /// the target, and turns its input_required results into elicitation requests to the client, retrying with the
    /// client's answers.
    /// </remarks>
    [Fact]
    public async Task SessionClient_ReachesAStatelessOnlyTarget_AndAnswersItsQuestions()
    {
        // The target refuses sessions outright.
        using (var http = new HttpClient())
        using (var initialize = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.StatelessOnlyServer.BaseAddress, "/mcp"))
        {
            Content = new StringContent(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                System.Text.Encoding.UTF8,
                "application/json"),
        })
        {
            initialize.Headers.Accept.ParseAdd("application/json, text/event-stream");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(initialize, TestContext.Current.CancellationToken)).StatusCode);
        }

        string? asked = null;
        var options = new McpClientOptions
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (request, _) =>
                {
                    asked = request?.Message;
                    return ValueTask.FromResult(new ElicitResult
                    {
                        Action = "accept",
                        Content = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("Ada") },
                    });
                },
            },
        };
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = fixture.StatelessOnlyRoute, TransportMode = HttpTransportMode.StreamableHttp }),
            options,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken), tool => tool.Name == "test_simple_text");
        var result = await client.CallToolAsync("test_input_required_result_elicitation", cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrEmpty(asked));
        Assert.Contains("Ada", string.Join(" ", result.Content.OfType<TextContentBlock>().Select(block => block.Text)), StringComparison.Ordinal);
    }

    /// <summary>Runs the suite; returns the failed checks of every scenario that ran, by scenario name.</summary>
    private static async Task<Dictionary<string, List<string>>> RunSuiteAsync(Uri endpoint, string outputDirectory, string revision)
    {
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(ServiceProcess.RepositoryRoot, "tests", "conformance", "run-suite.sh"));
        start.ArgumentList.Add(endpoint.ToString());
        start.ArgumentList.Add(outputDirectory);
        start.ArgumentList.Add(revision);

        // Every scenario of the revision, the pending and draft ones too.
        start.ArgumentList.Add("--suite");
        start.ArgumentList.Add("all");
        using var process = Process.Start(start)!;
        ChildProcesses.Track(process);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "suite-output.txt"), await output + await errors, TestContext.Current.CancellationToken);

        var results = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var scenarioDirectory in Directory.EnumerateDirectories(outputDirectory))
        {
            var match = ScenarioDirectory().Match(Path.GetFileName(scenarioDirectory));
            var checksFile = Path.Combine(scenarioDirectory, "checks.json");
            if (!match.Success || !File.Exists(checksFile))
            {
                continue;
            }

            using var checks = JsonDocument.Parse(await File.ReadAllTextAsync(checksFile, TestContext.Current.CancellationToken));
            results[match.Groups["scenario"].Value] = [.. checks.RootElement.EnumerateArray()
                .Where(check => check.GetProperty("status").GetString() == "FAILURE")
                .Select(check => $"{check.GetProperty("id").GetString()}: {(check.TryGetProperty("errorMessage", out var message) ? message.GetString() : "failed")}")];
        }

        Assert.True(results.Count > 0, $"The suite produced no results:\n{await output}\n{await errors}");
        return results;
    }

    [GeneratedRegex(@"^server-(?<scenario>.+)-\d{4}-\d{2}-\d{2}T", RegexOptions.CultureInvariant)]
    private static partial Regex ScenarioDirectory();
}
