using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// A federated MCP target's process killed while a tool call streams its progress through the proxy, for a client of
/// the stateless revision and one with a session: that caller gets an error in MCP, promptly; other sessions, and the
/// route's other target, go on. Each case starts its own target, proxy and sample servers.
/// </summary>
public sealed class McpTargetFaultTests : IAsyncLifetime
{
    private readonly SampleServerFixture _samples = new();
    private NodeMcpServer _everything = null!;
    private StandaloneProxy _proxy = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Uri Endpoint => new(_proxy.BaseAddress, "/acme/mcp");

    public async ValueTask InitializeAsync()
    {
        await _samples.InitializeAsync();
        _everything = await NodeMcpServer.StartEverythingAsync(Cancellation);
        _proxy = await StandaloneProxy.StartAsync(
            "routes:\n"
            + "  - tenant: acme\n    name: mcp\n    path: /acme/mcp\n    mcp:\n      targets:\n"
            + $"        - name: utils\n          streamableHttp:\n            url: {_samples.UtilsEndpoint}\n"
            + $"        - name: everything\n          streamableHttp:\n            url: {_everything.Endpoint}\n",
            Cancellation);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("2025-11-25")]
    public async Task ATargetKilledMidCall_AnswersThatCallWithAnError_AndEveryoneElseGoesOn(string? protocolVersion)
    {
        await using var caller = await McpTestClient.ConnectAsync(Endpoint, Cancellation, protocolVersion: protocolVersion);
        await using var bystander = await McpTestClient.ConnectAsync(Endpoint, Cancellation, protocolVersion: protocolVersion);

        var progressed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = caller.CallToolAsync(
            "everything_trigger-long-running-operation",
            new Dictionary<string, object?> { ["duration"] = 30, ["steps"] = 30 },
            new Progress(progressed),
            cancellationToken: Cancellation).AsTask();
        await progressed.Task.WaitAsync(TimeSpan.FromSeconds(20), Cancellation);
        await _everything.DisposeAsync();

        // The call ends well before the operation would have (30 s), with an error naming the target, in MCP.
        var started = DateTime.UtcNow;
        var failure = await Assert.ThrowsAnyAsync<McpException>(() => call.WaitAsync(TimeSpan.FromSeconds(20), Cancellation));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), $"The call took {DateTime.UtcNow - started} to fail.");
        Assert.Contains("Target 'everything' is unavailable", failure.Message, StringComparison.Ordinal);

        // The other session, the same session's other target, and the proxy itself are fine.
        foreach (var client in new[] { bystander, caller })
        {
            var echoed = await client.CallToolAsync("utils_echo", new Dictionary<string, object?> { ["message"] = "still here" }, cancellationToken: Cancellation);
            Assert.NotEqual(true, echoed.IsError);
            Assert.Contains("still here", string.Join(" ", echoed.Content.OfType<TextContentBlock>().Select(block => block.Text)), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Unhandled exception", _proxy.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _everything.DisposeAsync();
        await _samples.DisposeAsync();
    }

    /// <summary>Signals the first progress notification as it arrives.</summary>
    private sealed class Progress(TaskCompletionSource progressed) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => progressed.TrySetResult();
    }
}
