using AgentGateway.Portal.Components.Pages.ApiKeys;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>What the API key form sends for a key's LLM limits, and how the list describes them.</summary>
public sealed class KeyLlmFormTests
{
    [Fact]
    public void EmptyFields_SendNoLimits_AndFilledOnes_SendThem()
    {
        Assert.Null(new KeyLlmForm { RequestsPerMinute = 0 }.ToLimits());

        var limits = new KeyLlmForm { Models = "fast, smart", TokensPerMinute = 5000, Budget = new BudgetForm { Amount = 12.5m, Per = "week" } }.ToLimits()!;
        Assert.Equal(["fast", "smart"], limits.Models!);
        Assert.Equal((null, 5000), (limits.RequestsPerMinute, limits.TokensPerMinute));
        Assert.Equal(new ApiKeyBudgetInfo(12.5m, "week"), limits.Budget);

        var back = KeyLlmForm.From(limits);
        Assert.Equal(("fast, smart", 5000, 12.5m, "week"), (back.Models, back.TokensPerMinute, back.Budget.Amount, back.Budget.Per));

        // Tokens over a rolling window: no calendar period is sent.
        var rolling = new KeyLlmForm { Budget = new BudgetForm { Tokens = 100_000, Per = BudgetForm.Rolling, WindowHours = 6 } }.ToLimits()!;
        Assert.Equal(new ApiKeyBudgetInfo(null, null, 100_000, 6), rolling.Budget);
        Assert.Equal((BudgetForm.Rolling, 6), (KeyLlmForm.From(rolling).Budget.Per, KeyLlmForm.From(rolling).Budget.WindowHours));
    }

    [Fact]
    public void TheList_DescribesAKeysLimits_WithItsSpend()
    {
        var key = new ApiKeyInfo(Guid.NewGuid(), "agent", null, "agk_x", [], new Dictionary<string, string>(), null, null, null, "active", "admin",
            DateTimeOffset.UnixEpoch, "1", new ApiKeyLlmLimitsInfo(["fast"], 60, null, new ApiKeyBudgetInfo(10m, "month")), BudgetSpent: 3.21987m);
        Assert.Equal("fast · 60 requests/min · 3.2199 of 10 USD this month", KeyLlmForm.Describe(key));
        Assert.Equal("none", KeyLlmForm.Describe(key with { Llm = null }));
        var tokens = key with { Llm = new ApiKeyLlmLimitsInfo(Budget: new ApiKeyBudgetInfo(2m, null, 5000, 24)), BudgetSpent = 0.5m, BudgetTokens = 1200 };
        Assert.Equal("0.5 of 2 USD and 1200 of 5000 tokens in the last 24 hours", KeyLlmForm.Describe(tokens));
    }
}
