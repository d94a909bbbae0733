using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Telemetry;
using StackExchange.Redis;

namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// Applies a route's rate limits to a request: its local buckets first (no I/O), then its distributed limit (Redis
/// or an Envoy rate-limit service). A request refused by a later limit gets the local tokens it took back. When the
/// distributed limiter cannot decide in time, the policy's failure mode does: open allows, closed refuses (counted in
/// <c>agentgateway.ratelimit.fallbacks</c>).
/// </summary>
internal sealed partial class RouteRateLimiter(
    LocalRateLimiter local, RedisRateLimitStore redis, EnvoyRateLimitClient envoy, GatewayMetrics metrics, ILogger<RouteRateLimiter> logger)
{
    private const long WarningIntervalMs = 5000;

    private long _lastWarningMs = long.MinValue / 2;

    /// <summary>
    /// Takes <paramref name="cost"/> tokens (one per request; an LLM route's tokens) from every limit of
    /// <paramref name="plan"/> for this request and caller, or refuses with the limit that was exhausted.
    /// </summary>
    public async ValueTask<RateLimitDecision> TryTakeAsync(HttpContext context, RateLimitPlan plan, GatewayCaller caller, long cost = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cost);
        var localBuckets = plan.LocalBuckets;
        TokenBucket[]? taken = localBuckets.Count > 1 ? new TokenBucket[localBuckets.Count] : null;
        TokenBucket? single = null;
        BucketState? tightest = null;
        for (var index = 0; index < localBuckets.Count; index++)
        {
            var definition = localBuckets[index];
            var state = local.TryTake(definition, RateLimitKeyResolver.Resolve(definition.Kind, definition.KeyName, context, plan, caller), cost, out var bucket);
            if (!state.Allowed)
            {
                ReturnLocal(taken, single, index, cost);
                return Refused(state, $"bucket '{state.Name}'");
            }

            if (taken is null)
            {
                single = bucket;
            }
            else
            {
                taken[index] = bucket;
            }

            tightest = Tighter(tightest, state);
        }

        if (plan.RedisBuckets.Count == 0 && plan.Envoy is null)
        {
            return tightest is null ? RateLimitDecision.Unlimited : new RateLimitDecision(true, tightest);
        }

        var distributed = await DistributedAsync(context, plan, caller, cost);
        if (!distributed.Allowed)
        {
            ReturnLocal(taken, single, localBuckets.Count, cost);
            return distributed;
        }

        return distributed with { Tightest = Tighter(tightest, distributed.Tightest) };
    }

    private async Task<RateLimitDecision> DistributedAsync(HttpContext context, RateLimitPlan plan, GatewayCaller caller, long cost)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(plan.Timeout);
        try
        {
            if (plan.Envoy is { } service)
            {
                var answer = await envoy.ShouldRateLimitAsync(context, plan, service, caller, cost, timeout.Token);
                return new RateLimitDecision(!answer.OverLimit, answer.Tightest, answer.OverLimit ? $"the rate-limit service (domain '{service.Domain}')" : null,
                    answer.ResponseHeaders, answer.RequestHeaders);
            }

            var states = await redis.TryTakeAsync(plan.RedisBuckets, RedisKeys(context, plan, caller), cost, plan.Timeout, timeout.Token);
            BucketState? tightest = null;
            foreach (var state in states)
            {
                tightest = state.Allowed ? Tighter(tightest, state) : RefusedFirst(tightest, state);
            }

            var allowed = states.Length == 0 || states[0].Allowed;
            return new RateLimitDecision(allowed, tightest, allowed ? null : $"bucket '{tightest?.Name}'");
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested
            && exception is RateLimiterUnavailableException or OperationCanceledException)
        {
            var reason = exception is OperationCanceledException ? "no answer in time" : exception.Message;
            metrics.RateLimitFellBack(plan.Tenant, plan.RouteName, plan.Envoy is null ? "redis" : "service", plan.FailClosed);
            if (ShouldLog())
            {
                LogUnavailable(logger, plan.Tenant, plan.RouteName, plan.Envoy is null ? "Redis" : "the rate-limit service", reason, !plan.FailClosed);
            }

            return plan.FailClosed
                ? new RateLimitDecision(false, null, "the rate limiter is unavailable (failure mode closed)")
                : RateLimitDecision.Unlimited;
        }
    }

    /// <summary>
    /// Takes <paramref name="cost"/> more tokens for a request already served (an LLM answer's tokens beyond the one
    /// its admission took) from every limit of <paramref name="plan"/>, down to empty: the next requests wait for the
    /// refill. A limiter that cannot be reached loses the debit (logged), never the answer.
    /// </summary>
    public async Task DebitAsync(HttpContext context, RateLimitPlan plan, GatewayCaller caller, long cost)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(caller);
        if (cost <= 0)
        {
            return;
        }

        foreach (var definition in plan.LocalBuckets)
        {
            local.Debit(definition, RateLimitKeyResolver.Resolve(definition.Kind, definition.KeyName, context, plan, caller), cost);
        }

        if (plan.RedisBuckets.Count == 0 && plan.Envoy is null)
        {
            return;
        }

        // The client may be gone (a stream it left): the debit still counts, within the limiter's own timeout.
        using var timeout = new CancellationTokenSource(plan.Timeout);
        try
        {
            if (plan.Envoy is { } service)
            {
                await envoy.ShouldRateLimitAsync(context, plan, service, caller, cost, timeout.Token);
            }
            else
            {
                await redis.TryTakeAsync(plan.RedisBuckets, RedisKeys(context, plan, caller), cost, plan.Timeout, timeout.Token, debit: true);
            }
        }
        catch (Exception exception) when (exception is RateLimiterUnavailableException or OperationCanceledException)
        {
            if (ShouldLog())
            {
                LogDebitLost(logger, plan.Tenant, plan.RouteName, cost, exception.Message);
            }
        }
    }

    private RedisKey[] RedisKeys(HttpContext context, RateLimitPlan plan, GatewayCaller caller)
    {
        var keys = new RedisKey[plan.RedisBuckets.Count];
        for (var index = 0; index < keys.Length; index++)
        {
            var definition = plan.RedisBuckets[index];
            var value = RateLimitKeyResolver.Resolve(definition.Kind, definition.KeyName, context, plan, caller);
            // The tenant in braces is the key's hash tag: one tenant's buckets live in one slot of a Redis cluster.
            keys[index] = $"{redis.KeyPrefix}{{{plan.Tenant}}}\n{definition.Identity}\n{value}";
        }

        return keys;
    }

    /// <summary>At most one warning every few seconds while a limiter is down, however many requests it fails.</summary>
    private bool ShouldLog()
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _lastWarningMs);
        return now - last >= WarningIntervalMs && Interlocked.CompareExchange(ref _lastWarningMs, now, last) == last;
    }

    /// <summary>Among refused buckets, the one that takes longest to allow the request decides Retry-After.</summary>
    private static BucketState RefusedFirst(BucketState? current, BucketState refused) =>
        current is { Allowed: false } other && other.RetryAfterMs >= refused.RetryAfterMs ? other : refused;

    private static BucketState? Tighter(BucketState? current, BucketState? candidate) =>
        candidate is not { } state ? current : current is not { } other || state.IsTighterThan(other) ? state : other;

    private static RateLimitDecision Refused(BucketState state, string what) => new(false, state, what);

    private void ReturnLocal(TokenBucket[]? taken, TokenBucket? single, int count, long cost)
    {
        if (taken is null)
        {
            single?.Return(local.NowMs, cost);
            return;
        }

        var now = local.NowMs;
        for (var index = 0; index < count; index++)
        {
            taken[index]?.Return(now, cost);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Tenant}/{Route}: {Cost} tokens could not be debited: {Reason}")]
    private static partial void LogDebitLost(ILogger logger, string tenant, string route, long cost, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Tenant}/{Route}: {Limiter} could not decide ({Reason}); failure mode allows: {Allowed}")]
    private static partial void LogUnavailable(ILogger logger, string tenant, string route, string limiter, string reason, bool allowed);
}
