using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using ApiKey = AgentGateway.AdminApi.Data.Entities.ApiKey;
using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <summary>
/// Virtual keys: an API key's limits on LLM routes as the API takes and shows them and as proxies receive them, and
/// its budget: the spend of the current period (from the usage records) against the amount, and whether it is
/// exhausted until the period ends.
/// </summary>
internal static class LlmBudgets
{
    /// <summary>The limits of a request as stored (proto JSON), or null when there are none; errors under <c>llm</c>.</summary>
    public static JsonObject? Build(Dictionary<string, string[]> errors, ApiKeyLlmLimits? limits)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (limits is null)
        {
            return null;
        }

        var message = new V1.ApiKeyLlmLimits
        {
            RequestsPerMinute = PerMinute(errors, "llm.requestsPerMinute", limits.RequestsPerMinute),
            TokensPerMinute = PerMinute(errors, "llm.tokensPerMinute", limits.TokensPerMinute),
        };
        foreach (var model in limits.Models ?? [])
        {
            message.Models.Add(model ?? string.Empty);
        }

        if (limits.Budget is { } budget)
        {
            var period = (budget.Period ?? "month") switch
            {
                "day" => BudgetPeriod.Day,
                "week" => BudgetPeriod.Week,
                "month" => BudgetPeriod.Month,
                _ => (BudgetPeriod)(-1),
            };
            message.Budget = new LlmBudget { Amount = budget.Amount is { } amount ? (double)amount : 0, Period = period };
        }

        var problems = new List<ConfigError>();
        PolicyValidator.Validate(message, "llm", problems);
        foreach (var problem in problems)
        {
            Validation.Add(errors, problem.Field, problem.Message + ".");
        }

        return message.Models.Count == 0 && message.RequestsPerMinute == 0 && message.TokensPerMinute == 0 && message.Budget is null
            ? null
            : ProtoJson.Format(message);
    }

    /// <summary>The stored limits, as proxies receive them, with the end of the budget's exhaustion (past ones are ignored).</summary>
    public static V1.ApiKeyLlmLimits? ToMessage(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Parse(key) is not { } limits)
        {
            return null;
        }

        if (key.LlmBudgetExhaustedUntil is { } until)
        {
            limits.BudgetExhaustedUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(until);
        }

        return limits;
    }

    /// <summary>The stored limits as the API shows them.</summary>
    public static ApiKeyLlmLimits? ToResponse(ApiKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Parse(key) is not { } limits
            ? null
            : new ApiKeyLlmLimits(
                [.. limits.Models], (int)limits.RequestsPerMinute, (int)limits.TokensPerMinute,
                limits.Budget is { } budget ? new ApiKeyBudget((decimal)budget.Amount, PeriodName(budget.Period)) : null);
    }

    /// <summary>The start and end (UTC) of the budget period holding <paramref name="now"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) PeriodOf(BudgetPeriod period, DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return period switch
        {
            BudgetPeriod.Day => (day, day.AddDays(1)),
            BudgetPeriod.Week => (day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), day.AddDays(7 - (((int)day.DayOfWeek + 6) % 7))),
            _ => (new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
        };
    }

    /// <summary>
    /// The key's spend in its budget's current period (null without a budget), with its exhaustion brought up to date:
    /// set to the period's end once the spend reached the amount, cleared when it no longer has. True when that changed
    /// (the change is then the caller's to save, as a config change).
    /// </summary>
    public static async Task<(decimal? Spent, bool Changed)> EvaluateAsync(AdminDbContext db, ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        if (Parse(key)?.Budget is not { } budget)
        {
            var had = key.LlmBudgetExhaustedUntil is not null;
            key.LlmBudgetExhaustedUntil = null;
            return (null, had);
        }

        var spent = await SpentAsync(db, key.Id, budget.Period, now, cancellationToken);
        DateTimeOffset? exhausted = spent >= (decimal)budget.Amount ? PeriodOf(budget.Period, now).End : null;
        var changed = key.LlmBudgetExhaustedUntil != exhausted;
        key.LlmBudgetExhaustedUntil = exhausted;
        return (spent, changed);
    }

    /// <summary>The key's budget amount; null when it has no budget.</summary>
    public static double? AmountOf(ApiKey key) => Parse(key)?.Budget?.Amount;

    /// <summary>The key's spend in its budget's current period; null when it has no budget.</summary>
    public static async Task<decimal?> SpentAsync(AdminDbContext db, ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Parse(key)?.Budget is { } budget ? await SpentAsync(db, key.Id, budget.Period, now, cancellationToken) : null;
    }

    private static Task<decimal> SpentAsync(AdminDbContext db, Guid keyId, BudgetPeriod period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (start, end) = PeriodOf(period, now);
        return db.LlmUsage.Where(entry => entry.ApiKeyId == keyId && entry.At >= start && entry.At < end).SumAsync(entry => entry.Cost ?? 0, cancellationToken);
    }

    private static V1.ApiKeyLlmLimits? Parse(ApiKey key)
    {
        if (key.Llm is null)
        {
            return null;
        }

        var errors = new List<ConfigError>();
        return ProtoJson.Parse<V1.ApiKeyLlmLimits>(key.Llm, string.Empty, errors);
    }

    private static string PeriodName(BudgetPeriod period) => period switch
    {
        BudgetPeriod.Day => "day",
        BudgetPeriod.Week => "week",
        _ => "month",
    };

    private static uint PerMinute(Dictionary<string, string[]> errors, string field, int? value)
    {
        if (value is < 0 or > 1_000_000_000)
        {
            errors[field] = ["must be between 0 (no limit) and 1000000000."];
            return 0;
        }

        return (uint)(value ?? 0);
    }
}
