using System.Net;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.A2a;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Auth;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>The agent card cache against a real loopback agent whose card the test changes, with a clock the test moves.</summary>
public sealed class A2aCardCacheTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private readonly int _port = ServiceProcess.GetFreePort();
    private WebApplication _agent = null!;
    private BackendHttpClients _clients = null!;
    private A2aCardCache _cache = null!;

    /// <summary>The card's name, or null to answer 503; <see cref="_legacyOnly"/> serves only agent.json.</summary>
    private volatile string? _name = "one";
    private volatile bool _legacyOnly;
    private int _fetches;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Logging.ClearProviders();
        _agent = builder.Build();
        _agent.MapGet("/a2a/.well-known/{file}", (string file) =>
        {
            Interlocked.Increment(ref _fetches);
            if (_legacyOnly && file != "agent.json")
            {
                return Results.NotFound();
            }

            return _name is { } name ? Results.Json(new { name, url = $"http://127.0.0.1:{_port}/a2a" }) : Results.StatusCode(503);
        });
        await _agent.StartAsync(Cancellation);
        var egress = new EgressGuard(new SnapshotStore(NullLogger<SnapshotStore>.Instance), NullLogger<EgressGuard>.Instance);
        var limits = Microsoft.Extensions.Options.Options.Create(new GatewayLimitsOptions());
        _clients = new BackendHttpClients(egress, new BackendCredentials(egress, _time, limits, NullLogger<BackendCredentials>.Instance), limits);
        _cache = new A2aCardCache(_clients, _time, NullLogger<A2aCardCache>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _clients.Dispose();
        await _agent.DisposeAsync();
    }

    private Route Route => new() { Tenant = "acme", Name = "agent", A2A = new A2aBackend { Url = $"http://127.0.0.1:{_port}/a2a" } };

    [Fact]
    public async Task Card_IsKeptWhileFresh_RefreshedInTheBackgroundWhenStale_AndTheLastGoodOneServedWhileTheAgentFails()
    {
        Assert.Equal("one", await NameAsync());
        _name = "two";
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("one", await NameAsync());
        Assert.Equal(1, _fetches);

        // Stale: served at once, while a fresh one is fetched.
        _time.Advance(A2aCardCache.Freshness);
        Assert.Equal("one", await NameAsync());
        await EventuallyAsync("two");

        // The agent fails: the last good card is still served.
        _name = null;
        _time.Advance(A2aCardCache.Freshness + TimeSpan.FromSeconds(1));
        var fetches = _fetches;
        Assert.Equal("two", await NameAsync());
        while (Volatile.Read(ref _fetches) == fetches)
        {
            await Task.Delay(20, Cancellation);
        }

        Assert.Equal("two", await NameAsync());
    }

    [Fact]
    public async Task Card_FallsBackToAgentJson()
    {
        _legacyOnly = true;

        Assert.Equal("one", await NameAsync());
    }

    [Fact]
    public async Task Card_OfAnAgentThatNeverAnswered_IsAnErrorNamingTheStatus()
    {
        _name = null;

        var (card, error) = await _cache.GetAsync(Route, Cancellation);

        Assert.Null(card);
        Assert.Contains("503", error, StringComparison.Ordinal);
    }

    private async Task<string?> NameAsync()
    {
        var (card, error) = await _cache.GetAsync(Route, Cancellation);
        Assert.True(card is not null, error);
        return (string?)card["name"];
    }

    private async Task EventuallyAsync(string name)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await NameAsync() != name)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
