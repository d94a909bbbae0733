using System.Globalization;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// A bucket of a route's policy, compiled once per config: its limits with defaults applied, what it is kept per,
/// and the identity its state is stored under. The identity is made of the tenant, the route (unless the bucket is
/// the tenant's), the name and the limits, so a new config that keeps the bucket as it was keeps its state.
/// </summary>
internal sealed class BucketDefinition
{
    private BucketDefinition(string name, RateLimitKeyKind kind, string keyName, uint maxTokens, uint tokensPerFill, uint fillIntervalMs, string identity)
    {
        Name = name;
        Kind = kind;
        KeyName = keyName;
        MaxTokens = maxTokens;
        TokensPerFill = tokensPerFill;
        FillIntervalMs = fillIntervalMs;
        Identity = identity;
    }

    public string Name { get; }

    public RateLimitKeyKind Kind { get; }

    /// <summary>The claim or header name of <c>claim:</c> and <c>header:</c> keys.</summary>
    public string KeyName { get; }

    public uint MaxTokens { get; }

    public uint TokensPerFill { get; }

    public uint FillIntervalMs { get; }

    /// <summary>What the bucket's state is stored under (with the key value): equal for equal definitions.</summary>
    public string Identity { get; }

    /// <summary>How long an untouched bucket takes to be full again from empty.</summary>
    public long RefillAllMs => ((MaxTokens + (long)TokensPerFill - 1) / TokensPerFill) * FillIntervalMs;

    public static BucketDefinition Compile(Route route, RateLimitBucket bucket)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(bucket);
        if (!RateLimitKeys.TryParse(bucket.Key, out var kind, out var keyName))
        {
            throw new ArgumentException($"rate-limit bucket '{bucket.Name}' has an unknown key '{bucket.Key}'");
        }

        var max = Math.Max(1u, bucket.MaxTokens);
        var perFill = bucket.TokensPerFill is 0 ? max : Math.Min(bucket.TokensPerFill, max);
        var interval = bucket.FillIntervalMs is 0 ? 1000u : bucket.FillIntervalMs;
        var scope = kind == RateLimitKeyKind.Tenant ? string.Empty : route.Name;
        var identity = string.Create(CultureInfo.InvariantCulture, $"{route.Tenant}\n{scope}\n{bucket.Name}\n{kind}:{keyName}\n{max}/{perFill}/{interval}");
        return new BucketDefinition(bucket.Name, kind, keyName, max, perFill, interval, identity);
    }
}
