using System.Diagnostics.Metrics;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

/// <summary>The local limiter's buckets: state across config snapshots, costs of several tokens, eviction and its memory bound, metered.</summary>
public sealed class LocalRateLimiterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly GatewayMetrics _metrics;

    public LocalRateLimiterTests() =>
        _metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), new MetricLabels(Options.Create(new TelemetryOptions())));

    public void Dispose() => _services.Dispose();

    [Fact]
    public void ABucket_KeepsItsState_AcrossSnapshotsThatKeepItsDefinition_AndStartsAfreshWhenItChanges()
    {
        using var limiter = Limiter();
        var before = Definition(Route(maxTokens: 2));
        Assert.True(limiter.TryTake(before, "v", 1, out _).Allowed);
        Assert.True(limiter.TryTake(before, "v", 1, out _).Allowed);

        // A new snapshot compiles the route again from a new config object.
        var same = Definition(Route(maxTokens: 2));
        Assert.False(limiter.TryTake(same, "v", 1, out _).Allowed);

        var changed = Definition(Route(maxTokens: 3));
        Assert.True(limiter.TryTake(changed, "v", 1, out _).Allowed);
    }

    [Fact]
    public void TakingSeveralTokens_TakesThemAll_OrNone()
    {
        using var limiter = Limiter();
        var definition = Definition(Route(maxTokens: 10));
        var taken = limiter.TryTake(definition, "llm", 6, out _);
        Assert.True(taken.Allowed);
        Assert.Equal(4, taken.Remaining);

        var refused = limiter.TryTake(definition, "llm", 5, out _);
        Assert.False(refused.Allowed);
        Assert.Equal(4, refused.Remaining);
        Assert.True(refused.RetryAfterMs > 0);
        Assert.True(limiter.TryTake(definition, "llm", 4, out _).Allowed);
    }

    [Fact]
    public async Task IdleBuckets_AreEvicted()
    {
        using var limiter = Limiter();
        var definition = Definition(Route(maxTokens: 1, fillIntervalMs: 1));
        limiter.TryTake(definition, "idle", 1, out _);
        Assert.Equal(1, limiter.Count);

        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (limiter.Sweep() == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The idle bucket was never evicted.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, limiter.Count);
    }

    [Fact]
    public void PastTheCap_NewKeysShareAnOverflowBucket_AndTheMetersSayHowManyBucketsAndOverflowingTakes()
    {
        using var limiter = Limiter(maxBuckets: 16);
        var measured = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _metrics.Meter) && instrument.Name.StartsWith("agentgateway.ratelimit.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            measured[instrument.Name] = instrument.IsObservable ? value : measured.GetValueOrDefault(instrument.Name) + value);
        listener.Start();

        var definition = Definition(Route(maxTokens: 1));
        for (var value = 0; value < 16; value++)
        {
            Assert.True(limiter.TryTake(definition, $"key-{value}", 1, out _).Allowed);
        }

        listener.RecordObservableInstruments();
        Assert.Equal(16, measured["agentgateway.ratelimit.buckets"]);
        Assert.False(measured.ContainsKey("agentgateway.ratelimit.overflowed"));

        Assert.True(limiter.TryTake(definition, "late-1", 1, out _).Allowed);
        Assert.False(limiter.TryTake(definition, "late-2", 1, out _).Allowed);
        Assert.Equal(17, limiter.Count);
        listener.RecordObservableInstruments();
        Assert.Equal(17, measured["agentgateway.ratelimit.buckets"]);
        Assert.Equal(2, measured["agentgateway.ratelimit.overflowed"]);
    }

    private LocalRateLimiter Limiter(int maxBuckets = 1000) => new(
        TimeProvider.System,
        Options.Create(new RateLimitingOptions { MaxLocalBuckets = maxBuckets }),
        _metrics,
        NullLogger<LocalRateLimiter>.Instance);

    private static BucketDefinition Definition(Route route) => RoutePolicyRuntime.Compile(route).RateLimits!.LocalBuckets[0];

    private static Route Route(uint maxTokens, uint fillIntervalMs = 60_000) => new()
    {
        Tenant = "acme",
        Name = "limited",
        Policies = new RoutePolicies
        {
            LocalRateLimit = new LocalRateLimit { Buckets = { new RateLimitBucket { Name = "b", Key = "header:x-user", MaxTokens = maxTokens, FillIntervalMs = fillIntervalMs } } },
        },
    };
}
