namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>Where distributed rate limits keep their counters, and how much memory local buckets may take (<c>RateLimiting</c> section).</summary>
internal sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>
    /// The StackExchange.Redis connection string of the Redis that <c>rateLimit.redis</c> policies count in, e.g.
    /// <c>localhost:6379</c>; empty falls back to <c>ConnectionStrings:redis</c> (what Aspire passes).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The prefix of every Redis key the proxy writes, so several gateways can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "agw:rl:";

    /// <summary>
    /// The most local buckets kept at once (one per route bucket and key value). Idle buckets are evicted once they
    /// would be full again; past the cap, new key values of a bucket share one overflow bucket until room is freed.
    /// </summary>
    public int MaxLocalBuckets { get; set; } = 100_000;

    /// <summary>How often idle local buckets are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}
