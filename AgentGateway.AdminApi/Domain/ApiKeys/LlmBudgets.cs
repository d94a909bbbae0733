using System.Text.Json.Nodes;
using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using ApiKey = AgentGateway.AdminApi.Data.Entities.ApiKey;
using LlmUsageEntry = AgentGateway.AdminApi.Data.Entities.LlmUsageEntry;
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
            message.Budget = ToMessage(budget);
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
                limits.Budget is { } budget ? ToResponse(budget) : null);
    }

    /// <summary>A budget as the API takes it, as proxies and the store have it (its errors are the validator's).</summary>
    public static LlmBudget ToMessage(ApiKeyBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return new LlmBudget
        {
            Amount = budget.Amount is { } amount ? (double)amount : 0,
            Period = (budget.Period ?? "month") switch
            {
                "day" => BudgetPeriod.Day,
                "week" => BudgetPeriod.Week,
                "month" => BudgetPeriod.Month,
                _ => (BudgetPeriod)(-1),
            },
            Tokens = budget.Tokens is > 0 and var tokens ? (ulong)tokens : 0,
            WindowHours = budget.WindowHours is > 0 and var hours ? (uint)hours : 0,
        };
    }

    /// <summary>A budget as the API shows it.</summary>
    public static ApiKeyBudget ToResponse(LlmBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return new ApiKeyBudget(
            budget.Amount > 0 ? (decimal)budget.Amount : null, PeriodName(budget.Period), budget.Tokens > 0 ? (long)budget.Tokens : null,
            budget.WindowHours > 0 ? (int)budget.WindowHours : null);
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
    /// The key's use in its budget's current period or window (null without a budget), with its exhaustion brought up
    /// to date (<see cref="Evaluate"/>). True when that changed (the change is then the caller's to save, as a config
    /// change).
    /// </summary>
    public static async Task<(BudgetState? State, bool Changed)> EvaluateAsync(AdminDbContext db, ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        var state = await SpentAsync(db, key, now, cancellationToken);
        var changed = key.LlmBudgetExhaustedUntil != state?.ExhaustedUntil;
        key.LlmBudgetExhaustedUntil = state?.ExhaustedUntil;
        return (state, changed);
    }

    /// <summary>The key's budget amount; null when it has no budget.</summary>
    public static double? AmountOf(ApiKey key) => Parse(key)?.Budget?.Amount;

    /// <summary>The key's use in its budget's current period or window; null when it has no budget.</summary>
    public static async Task<BudgetState?> SpentAsync(AdminDbContext db, ApiKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(key);
        return Parse(key)?.Budget is { } budget ? await Evaluate(db.LlmUsage.Where(entry => entry.ApiKeyId == key.Id), budget, now, cancellationToken) : null;
    }

    /// <summary>
    /// What <paramref name="usage"/> came to in <paramref name="budget"/>'s current calendar period (UTC) or rolling
    /// window, and until when the budget is exhausted: a period's end; in a window, the time enough of the oldest use
    /// has left it for the spend and the tokens to be below the budget again. Sums are Postgres's; only an exhausted
    /// window reads its records, oldest first, as far as needed.
    /// </summary>
    public static async Task<BudgetState> Evaluate(IQueryable<LlmUsageEntry> usage, LlmBudget budget, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(budget);
        var window = TimeSpan.FromHours(budget.WindowHours);
        var (start, end) = budget.WindowHours > 0 ? (now - window, now.AddTicks(1)) : PeriodOf(budget.Period, now);
        var counted = usage.Where(entry => entry.At >= start && entry.At < end);
        var totals = await counted.GroupBy(_ => 1)
            .Select(group => new { Spent = group.Sum(entry => entry.Cost ?? 0), Tokens = group.Sum(entry => entry.InputTokens + entry.OutputTokens) })
            .SingleOrDefaultAsync(cancellationToken);
        var (spent, tokens) = (totals?.Spent ?? 0, totals?.Tokens ?? 0);
        if (!Reached(budget, spent, tokens))
        {
            return new BudgetState(spent, tokens, null);
        }

        if (budget.WindowHours == 0)
        {
            return new BudgetState(spent, tokens, end);
        }

        var oldestFirst = counted.OrderBy(entry => entry.At)
            .Select(entry => new UsageSlice(entry.At, entry.Cost ?? 0, entry.InputTokens + entry.OutputTokens)).AsAsyncEnumerable();
        return new BudgetState(spent, tokens, await LeavesWindowAsync(budget, window, spent, tokens, oldestFirst, cancellationToken));
    }

    /// <summary>
    /// When a rolling window's use, <paramref name="spent"/> and <paramref name="tokens"/> now, is below
    /// <paramref name="budget"/> again: the time the first of <paramref name="oldestFirst"/> whose leaving brings it
    /// below leaves the window.
    /// </summary>
    public static async Task<DateTimeOffset> LeavesWindowAsync(
        LlmBudget budget, TimeSpan window, decimal spent, long tokens, IAsyncEnumerable<UsageSlice> oldestFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(oldestFirst);
        var last = DateTimeOffset.MinValue;
        await foreach (var slice in oldestFirst.WithCancellation(cancellationToken))
        {
            (spent, tokens, last) = (spent - slice.Cost, tokens - slice.Tokens, slice.At);
            if (!Reached(budget, spent, tokens))
            {
                return slice.At + window;
            }
        }

        return last + window;
    }

    /// <summary>Whether <paramref name="spent"/> or <paramref name="tokens"/> reached what <paramref name="budget"/> allows.</summary>
    public static bool Reached(LlmBudget budget, decimal spent, long tokens)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return (budget.Amount > 0 && spent >= (decimal)budget.Amount) || (budget.Tokens > 0 && tokens >= (long)Math.Min(budget.Tokens, long.MaxValue));
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
