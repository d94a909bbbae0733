using System.Collections.Concurrent;
using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.RateLimiting;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.Reporting;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>Why a virtual key may not make a request: the status, message, error code and headers of the refusal.</summary>
internal sealed record LlmKeyRefusal(int Status, string Message, string Code, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// Enforces what an API key may do on LLM routes (<see cref="ApiKeyLlmLimits"/>): the models it may name, its
/// exhausted budget (the control plane marks it), and its requests and tokens per minute. The minute limits are
/// token buckets per key across the tenant's LLM routes, counted in Redis when the proxy has one (shared by every
/// replica), else by this proxy; tokens are taken like a route's token limits, one at admission and the rest once
/// the answer's usage is known.
/// </summary>
internal sealed class LlmKeyLimiter(RouteRateLimiter limiter, IOptions<RateLimitingOptions> options, GatewayMetrics metrics, TimeProvider time)
{
    /// <summary>The pseudo-route key buckets belong to: one state per key across the tenant's routes.</summary>
    private const string KeyScope = "(api-key)";

    private readonly ConcurrentDictionary<(string Tenant, uint Requests, uint Tokens), KeyPlans> _plans = new();

    /// <summary>
    /// Null when the caller may go on; else why not: the tenant's LLM budget is spent (counted as a refusal of policy
    /// <c>tenant_budget</c>), or the key's limits refuse it (<c>virtual_key</c>).
    /// </summary>
    public async ValueTask<LlmKeyRefusal?> AdmitAsync(HttpContext context, Route route, GatewayCaller caller, string model)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(caller);
        if (route.TenantLlmBudgetExhaustedUntil?.ToDateTimeOffset() is { } spentUntil && spentUntil > time.GetUtcNow())
        {
            metrics.Refused($"{route.Tenant}/{route.Name}", RouteKinds.Llm, "tenant_budget");
            return new LlmKeyRefusal(StatusCodes.Status429TooManyRequests,
                $"The tenant '{route.Tenant}' has spent its LLM budget; its LLM requests are refused until {spentUntil:u}.", "budget_exceeded",
                [new("Retry-After", RetryAfter(spentUntil))]);
        }

        var refusal = await DecideAsync(context, route, caller, model);
        if (refusal is not null)
        {
            metrics.Refused($"{route.Tenant}/{route.Name}", RouteKinds.Llm, "virtual_key");
        }

        return refusal;
    }

    private async ValueTask<LlmKeyRefusal?> DecideAsync(HttpContext context, Route route, GatewayCaller caller, string model)
    {
        if (caller.ApiKey is not { Llm: { } limits } key)
        {
            return null;
        }

        if (limits.Models.Count > 0 && !limits.Models.Contains(model))
        {
            return new LlmKeyRefusal(StatusCodes.Status403Forbidden, $"The API key '{key.Name}' may not use the model '{model}'.", "model_not_allowed", []);
        }

        if (limits.BudgetExhaustedUntil?.ToDateTimeOffset() is { } until && until > time.GetUtcNow())
        {
            return new LlmKeyRefusal(StatusCodes.Status429TooManyRequests,
                $"The API key '{key.Name}' has spent its budget ({Describe(limits.Budget)}); it is refused until {until:u}.",
                "budget_exceeded", [new("Retry-After", RetryAfter(until))]);
        }

        var plans = PlansFor(route.Tenant, limits);
        foreach (var (plan, what) in new[] { (plans.Requests, "requests"), (plans.Tokens, "tokens") })
        {
            if (plan is null)
            {
                continue;
            }

            var decision = await limiter.TryTakeAsync(context, plan, caller);
            if (!decision.Allowed)
            {
                return new LlmKeyRefusal(StatusCodes.Status429TooManyRequests,
                    $"The API key '{key.Name}' is over its {what} per minute ({(what == "requests" ? limits.RequestsPerMinute : limits.TokensPerMinute)}).",
                    "rate_limit_exceeded", RateLimitHeaders.For(decision));
            }
        }

        return null;
    }

    /// <summary>Takes the rest of an answer's tokens (admission took one) from the key's tokens per minute.</summary>
    public Task DebitAsync(HttpContext context, GatewayCaller caller, LlmUsage? usage, string tenant)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.ApiKey?.Llm is { TokensPerMinute: > 0 } limits && usage is { } used && used.InputTokens + used.OutputTokens > 1
            && PlansFor(tenant, limits).Tokens is { } tokens
            ? limiter.DebitAsync(context, tokens, caller, used.InputTokens + used.OutputTokens - 1)
            : Task.CompletedTask;
    }

    /// <summary>What a budget allows, e.g. "10 USD and 100000 tokens a rolling 24 hours".</summary>
    private static string Describe(LlmBudget? budget)
    {
        var limits = new List<string>();
        if (budget?.Amount > 0)
        {
            limits.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{budget.Amount} USD"));
        }

        if (budget?.Tokens > 0)
        {
            limits.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{budget.Tokens} tokens"));
        }

        var over = budget?.WindowHours > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a rolling {budget.WindowHours} hours")
            : budget?.Period switch { BudgetPeriod.Day => "a day", BudgetPeriod.Week => "a week", _ => "a month" };
        return $"{string.Join(" and ", limits)} {over}";
    }

    private string RetryAfter(DateTimeOffset until) =>
        Math.Max(1, (long)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key's minute buckets, compiled once per tenant and limits (their state is kept per key).</summary>
    private KeyPlans PlansFor(string tenant, ApiKeyLlmLimits limits) =>
        _plans.GetOrAdd((tenant, limits.RequestsPerMinute, limits.TokensPerMinute), entry => new KeyPlans(
            entry.Requests > 0 ? Plan(entry.Tenant, "key-requests", entry.Requests) : null,
            entry.Tokens > 0 ? Plan(entry.Tenant, "key-tokens", entry.Tokens) : null));

    private RateLimitPlan? Plan(string tenant, string name, uint perMinute)
    {
        var bucket = new RateLimitBucket { Name = name, Key = "api-key", MaxTokens = perMinute, FillIntervalMs = 60_000 };
        var policies = new RoutePolicies();
        if (string.IsNullOrEmpty(options.Value.Redis))
        {
            policies.LocalRateLimit = new LocalRateLimit { Buckets = { bucket } };
        }
        else
        {
            // A key's own limits wait longer for Redis than a route's default, so that a busy Redis does not let it through.
            policies.RateLimit = new DistributedRateLimit { Redis = new RedisRateLimit { Buckets = { bucket } }, TimeoutMs = 1000 };
        }

        return RateLimitPlan.Compile(new Route { Tenant = tenant, Name = KeyScope, Policies = policies });
    }

    private sealed record KeyPlans(RateLimitPlan? Requests, RateLimitPlan? Tokens);
}
