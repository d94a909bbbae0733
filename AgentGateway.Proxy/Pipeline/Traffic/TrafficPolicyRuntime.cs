using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Upstream.Resilience;

namespace AgentGateway.Proxy.Pipeline.Traffic;

/// <summary>
/// A route's traffic and resiliency policies (header changes, redirect, rewrite, direct response, CORS, timeouts,
/// retries, mirrors) compiled once per config; part of <see cref="RoutePolicyRuntime"/>.
/// </summary>
internal sealed class TrafficPolicyRuntime
{
    /// <summary>The runtime of a route without traffic policies.</summary>
    public static readonly TrafficPolicyRuntime None = new();

    private TrafficPolicyRuntime()
    {
    }

    public HeaderChanges? RequestHeaders { get; private init; }

    public HeaderChanges? ResponseHeaders { get; private init; }

    public RequestRedirectResponder? Redirect { get; private init; }

    public DirectResponder? DirectResponse { get; private init; }

    public PathRewriter? Rewrite { get; private init; }

    public CorsPolicy? Cors { get; private init; }

    /// <summary>The whole request, retries included, until response headers arrive; null: no limit.</summary>
    public TimeSpan? RequestTimeout { get; private init; }

    /// <summary>One try, until its response headers arrive; null: no limit.</summary>
    public TimeSpan? TryTimeout { get; private init; }

    public RetryRuntime? Retry { get; private init; }

    public IReadOnlyList<MirrorTarget> Mirrors { get; private init; } = [];

    /// <summary>Whether answers need headers added as they start (response header changes or CORS).</summary>
    public bool ChangesResponses => ResponseHeaders is not null || Cors is not null;

    public static TrafficPolicyRuntime Compile(RoutePolicies policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.RequestHeaders is null && policies.ResponseHeaders is null && policies.Redirect is null && policies.UrlRewrite is null
            && policies.DirectResponse is null && policies.Cors is null && policies.Timeouts is null && policies.Retry is null && policies.Mirrors.Count == 0)
        {
            return None;
        }

        return new TrafficPolicyRuntime
        {
            RequestHeaders = HeaderChanges.Compile(policies.RequestHeaders),
            ResponseHeaders = HeaderChanges.Compile(policies.ResponseHeaders),
            Redirect = policies.Redirect is { } redirect ? new RequestRedirectResponder(redirect) : null,
            DirectResponse = policies.DirectResponse is { } direct ? new DirectResponder(direct) : null,
            Rewrite = policies.UrlRewrite is { } rewrite ? new PathRewriter(rewrite) : null,
            Cors = policies.Cors is { } cors ? new CorsPolicy(cors) : null,
            RequestTimeout = policies.Timeouts is { RequestMs: > 0 } request ? TimeSpan.FromMilliseconds(request.RequestMs) : null,
            TryTimeout = policies.Timeouts is { BackendRequestMs: > 0 } backend ? TimeSpan.FromMilliseconds(backend.BackendRequestMs) : null,
            Retry = policies.Retry is { Attempts: > 0 } retry ? new RetryRuntime(retry) : null,
            Mirrors = [.. policies.Mirrors.Select(mirror => new MirrorTarget(mirror.Url.TrimEnd('/'), mirror.Percentage is 0 or >= 100 ? 100 : mirror.Percentage))],
        };
    }
}

/// <summary>Where a route's requests are copied to, and the share of them.</summary>
internal sealed record MirrorTarget(string BaseUrl, double Percentage);
