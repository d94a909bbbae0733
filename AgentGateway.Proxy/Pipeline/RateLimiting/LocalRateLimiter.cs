using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AgentGateway.Proxy.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// The token buckets this proxy keeps, by bucket identity and key value. Buckets outlive config snapshots: a new
/// config with the same bucket definition finds the state the old one left. Memory is bounded: a periodic sweep
/// forgets buckets that have been idle long enough to be full again (so forgetting changes nothing), and past
/// <see cref="RateLimitingOptions.MaxLocalBuckets"/> new key values share one overflow bucket per definition.
/// A request racing the sweep may take from a bucket just forgotten: at most that one token is not counted.
/// Its state is metered: <c>agentgateway.ratelimit.buckets</c> (kept now) and <c>agentgateway.ratelimit.overflowed</c>
/// (takes that found no room for a bucket of their own).
/// </summary>
internal sealed partial class LocalRateLimiter : IDisposable
{
    /// <summary>The key value of the overflow bucket (no request key can contain a NUL).</summary>
    private const string OverflowValue = "\0overflow";

    private readonly ConcurrentDictionary<BucketKey, TokenBucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly int _maxBuckets;
    private readonly ITimer _sweeper;
    private readonly ILogger<LocalRateLimiter> _logger;
    private readonly Counter<long> _overflowed;
    private int _count;
    private int _sweeping;
    private int _overflowing;

    public LocalRateLimiter(TimeProvider time, IOptions<RateLimitingOptions> options, GatewayMetrics metrics, ILogger<LocalRateLimiter> logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.Meter.CreateObservableUpDownCounter(
            "agentgateway.ratelimit.buckets", () => (long)Count, "{bucket}", "Local rate-limit buckets this proxy keeps, at most RateLimiting:MaxLocalBuckets.");
        _overflowed = metrics.Meter.CreateCounter<long>(
            "agentgateway.ratelimit.overflowed", "{take}", "Local rate-limit takes whose key found no room for a bucket of its own and shared its definition's overflow bucket.");
        _time = time;
        _logger = logger;
        _origin = time.GetTimestamp();
        _maxBuckets = options.Value.MaxLocalBuckets;
        _sweeper = time.CreateTimer(_ => Sweep(), null, options.Value.SweepInterval, options.Value.SweepInterval);
    }

    /// <summary>How many buckets are kept now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Milliseconds since the limiter started: the clock of every bucket.</summary>
    public long NowMs => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    /// <summary>Takes <paramref name="cost"/> tokens from the bucket of <paramref name="definition"/> for <paramref name="value"/>.</summary>
    public BucketState TryTake(BucketDefinition definition, string value, long cost, out TokenBucket bucket)
    {
        var now = NowMs;
        bucket = Find(definition, value, now);
        return bucket.TryTake(now, cost);
    }

    /// <summary>Takes up to <paramref name="cost"/> tokens from the bucket of <paramref name="definition"/> for <paramref name="value"/>.</summary>
    public void Debit(BucketDefinition definition, string value, long cost)
    {
        var now = NowMs;
        Find(definition, value, now).Debit(now, cost);
    }

    /// <summary>Forgets the buckets that are idle (full again by now); returns how many were forgotten.</summary>
    public int Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return 0;
        }

        try
        {
            var now = NowMs;
            var removed = 0;
            foreach (var (key, bucket) in _buckets)
            {
                if (bucket.IsIdle(now) && _buckets.TryRemove(new KeyValuePair<BucketKey, TokenBucket>(key, bucket)))
                {
                    Interlocked.Decrement(ref _count);
                    removed++;
                }
            }

            if (removed > 0)
            {
                Volatile.Write(ref _overflowing, 0);
            }

            return removed;
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private TokenBucket Find(BucketDefinition definition, string value, long now)
    {
        var key = new BucketKey(definition.Identity, value);
        if (_buckets.TryGetValue(key, out var bucket))
        {
            return bucket;
        }

        if (Volatile.Read(ref _count) >= _maxBuckets)
        {
            Sweep();
            if (Volatile.Read(ref _count) >= _maxBuckets)
            {
                if (Interlocked.Exchange(ref _overflowing, 1) == 0)
                {
                    LogOverflow(_logger, definition.Name, _maxBuckets);
                }

                _overflowed.Add(1);
                key = new BucketKey(definition.Identity, OverflowValue);
                if (_buckets.TryGetValue(key, out bucket))
                {
                    return bucket;
                }
            }
        }

        var created = new TokenBucket(definition, now);
        bucket = _buckets.GetOrAdd(key, created);
        if (ReferenceEquals(bucket, created))
        {
            Interlocked.Increment(ref _count);
        }

        return bucket;
    }

    public void Dispose() => _sweeper.Dispose();

    private readonly record struct BucketKey(string Identity, string Value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local rate limiting keeps {MaxBuckets} buckets (RateLimiting:MaxLocalBuckets); new keys of bucket {Bucket} share its overflow bucket")]
    private static partial void LogOverflow(ILogger logger, string bucket, int maxBuckets);
}
