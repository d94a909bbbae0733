using System.Globalization;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.ApiKeys;

/// <summary>A key's LLM limits as the API key form edits them; all empty sends none.</summary>
public sealed class KeyLlmForm
{
    /// <summary>Comma-separated; empty: every model.</summary>
    public string Models { get; set; } = string.Empty;

    public int? RequestsPerMinute { get; set; }

    public int? TokensPerMinute { get; set; }

    /// <summary>A spend, tokens or both, per period or rolling window; empty: no budget.</summary>
    public BudgetForm Budget { get; set; } = new();

    public static KeyLlmForm From(ApiKeyLlmLimitsInfo? limits) => new()
    {
        Models = TextLists.Join(limits?.Models ?? []),
        RequestsPerMinute = limits?.RequestsPerMinute is > 0 ? limits.RequestsPerMinute : null,
        TokensPerMinute = limits?.TokensPerMinute is > 0 ? limits.TokensPerMinute : null,
        Budget = BudgetForm.From(limits?.Budget),
    };

    public ApiKeyLlmLimitsInfo? ToLimits()
    {
        var models = TextLists.Split(Models).ToList();
        return models.Count == 0 && RequestsPerMinute is null or 0 && TokensPerMinute is null or 0 && Budget.IsEmpty
            ? null
            : new ApiKeyLlmLimitsInfo(models, RequestsPerMinute, TokensPerMinute, Budget.ToBudget());
    }

    /// <summary>A key's limits in a line: "fast, smart · 60 requests/min · 3.2 of 10 USD this month (exhausted)"; "none" without.</summary>
    public static string Describe(ApiKeyInfo key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Llm is not { } limits)
        {
            return "none";
        }

        var parts = new List<string>();
        if (limits.Models is { Count: > 0 } models)
        {
            parts.Add(string.Join(", ", models));
        }

        if (limits.RequestsPerMinute is > 0 and var requests)
        {
            parts.Add($"{requests} requests/min");
        }

        if (limits.TokensPerMinute is > 0 and var tokens)
        {
            parts.Add($"{tokens} tokens/min");
        }

        if (limits.Budget is { } budget)
        {
            parts.Add(BudgetForm.Describe(budget, key.BudgetSpent, key.BudgetTokens));
        }

        return parts.Count == 0 ? "none" : string.Join(" · ", parts);
    }
}
