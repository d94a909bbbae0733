using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// A route's rate limits compiled once per config: local buckets, Redis buckets or the Envoy rate-limit service
/// with its descriptor templates, the timeout and failure mode of the distributed limit.
/// </summary>
internal sealed class RateLimitPlan
{
    private const uint DefaultTimeoutMs = 100;

    private RateLimitPlan(Route route)
    {
        Tenant = route.Tenant;
        RouteName = route.Name;
    }

    public string Tenant { get; }

    public string RouteName { get; }

    /// <summary>Buckets this proxy keeps itself.</summary>
    public IReadOnlyList<BucketDefinition> LocalBuckets { get; private init; } = [];

    /// <summary>Buckets counted in Redis, shared by every replica.</summary>
    public IReadOnlyList<BucketDefinition> RedisBuckets { get; private init; } = [];

    /// <summary>The Envoy rate-limit service, or null.</summary>
    public EnvoyRateLimitPlan? Envoy { get; private init; }

    /// <summary>How long Redis or the service may take.</summary>
    public TimeSpan Timeout { get; private init; }

    /// <summary>Whether requests are refused when Redis or the service cannot answer in time.</summary>
    public bool FailClosed { get; private init; }

    /// <summary>The route's plan, or null when the route has no rate limits.</summary>
    public static RateLimitPlan? Compile(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var policies = route.Policies;
        if (policies is null || (policies.LocalRateLimit is null && policies.RateLimit is null))
        {
            return null;
        }

        var distributed = policies.RateLimit;
        return new RateLimitPlan(route)
        {
            LocalBuckets = policies.LocalRateLimit?.Buckets.Select(bucket => BucketDefinition.Compile(route, bucket)).ToArray() ?? [],
            RedisBuckets = distributed?.Redis?.Buckets.Select(bucket => BucketDefinition.Compile(route, bucket)).ToArray() ?? [],
            Envoy = distributed?.Envoy is { } envoy ? EnvoyRateLimitPlan.Compile(envoy) : null,
            Timeout = TimeSpan.FromMilliseconds(distributed is { TimeoutMs: > 0 } ? distributed.TimeoutMs : DefaultTimeoutMs),
            FailClosed = distributed?.FailureMode == RateLimitKeys.FailureModeClosed,
        };
    }
}

/// <summary>The Envoy rate-limit service of a route: its address, domain and descriptor templates.</summary>
internal sealed class EnvoyRateLimitPlan
{
    private EnvoyRateLimitPlan(string address, string domain, IReadOnlyList<DescriptorTemplate> descriptors)
    {
        Address = address;
        Domain = domain;
        Descriptors = descriptors;
    }

    public string Address { get; }

    public string Domain { get; }

    public IReadOnlyList<DescriptorTemplate> Descriptors { get; }

    public static EnvoyRateLimitPlan Compile(EnvoyRateLimitService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var descriptors = service.Descriptors
            .Select(descriptor => new DescriptorTemplate([.. descriptor.Entries.Select(entry => new EntryTemplate(entry.Name, ValueTemplate.Parse(entry.Value)))]))
            .ToArray();
        return new EnvoyRateLimitPlan(service.Address, service.Domain, descriptors);
    }
}

/// <summary>A descriptor's entries with their value templates.</summary>
internal sealed record DescriptorTemplate(IReadOnlyList<EntryTemplate> Entries);

internal sealed record EntryTemplate(string Key, ValueTemplate Value);

/// <summary>A descriptor value: literal text and placeholders (<c>%tenant%</c>, <c>%claim:sub%</c>, ...).</summary>
internal sealed class ValueTemplate
{
    private ValueTemplate(IReadOnlyList<Part> parts)
    {
        Parts = parts;
    }

    public IReadOnlyList<Part> Parts { get; }

    public static ValueTemplate Parse(string value)
    {
        if (!RateLimitKeys.TrySplitTemplate(value, out var parts, out var problem))
        {
            throw new ArgumentException($"the descriptor value '{value}' has a '%' that is not closed: '{problem}'");
        }

        return new ValueTemplate([.. parts.Select(part =>
        {
            if (!part.IsPlaceholder)
            {
                return new Part(part.Text, null, string.Empty);
            }

            return RateLimitKeys.TryParsePlaceholder(part.Text, out var kind, out var name)
                ? new Part(string.Empty, kind, name)
                : throw new ArgumentException($"the descriptor value '{value}' names an unknown placeholder '%{part.Text}%'");
        })]);
    }

    /// <summary>Literal text (<see cref="Kind"/> null), or a placeholder of <see cref="Kind"/> with the claim or header <see cref="Name"/>.</summary>
    internal sealed record Part(string Text, RateLimitKeyKind? Kind, string Name);
}
