using System.Globalization;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Shared;

/// <summary>
/// An LLM budget as the Portal's forms edit it (an API key's, a tenant's): a spend, tokens or both, per calendar
/// period or over a rolling window of hours. Neither amount nor tokens: no budget.
/// </summary>
public sealed class BudgetForm
{
    /// <summary>The "per" choice of a rolling window.</summary>
    public const string Rolling = "rolling";

    /// <summary>USD; empty: no limit on the spend.</summary>
    public decimal? Amount { get; set; }

    /// <summary>Input and output tokens; empty: no limit on tokens.</summary>
    public long? Tokens { get; set; }

    /// <summary>'day', 'week', 'month' or <see cref="Rolling"/>.</summary>
    public string Per { get; set; } = "month";

    /// <summary>The rolling window's hours.</summary>
    public int? WindowHours { get; set; } = 24;

    public bool IsEmpty => Amount is null or 0 && Tokens is null or 0;

    public static BudgetForm From(ApiKeyBudgetInfo? budget) => new()
    {
        Amount = budget?.Amount,
        Tokens = budget?.Tokens,
        Per = budget?.WindowHours is > 0 ? Rolling : budget?.Period ?? "month",
        WindowHours = budget?.WindowHours ?? 24,
    };

    /// <summary>The budget to send; null when the form limits nothing.</summary>
    public ApiKeyBudgetInfo? ToBudget() => IsEmpty
        ? null
        : new ApiKeyBudgetInfo(Amount is > 0 ? Amount : null, Per == Rolling ? null : Per, Tokens is > 0 ? Tokens : null, Per == Rolling ? WindowHours : null);

    /// <summary>What was used of a budget: "3.2 of 10 USD and 1200 of 5000 tokens this month", or "... in the last 24 hours".</summary>
    public static string Describe(ApiKeyBudgetInfo budget, decimal? spent, long? tokens)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var parts = new List<string>();
        if (budget.Amount is { } amount)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{spent ?? 0:0.####} of {amount:0.##} USD"));
        }

        if (budget.Tokens is { } limit)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{tokens ?? 0} of {limit} tokens"));
        }

        var over = budget.WindowHours is { } hours ? $"in the last {hours} hours" : $"this {budget.Period ?? "month"}";
        return $"{string.Join(" and ", parts)} {over}";
    }
}
