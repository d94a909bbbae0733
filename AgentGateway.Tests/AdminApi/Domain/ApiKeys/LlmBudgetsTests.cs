using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Tests.AdminApi.Domain.ApiKeys;

/// <summary>When a rolling window's budget is free again: once enough of the oldest use has left the window.</summary>
public sealed class LlmBudgetsTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_day = TimeSpan.FromHours(24);

    [Fact]
    public async Task ATokenBudget_IsFreeAgain_WhenTheUseThatTakesItBelowLeavesTheWindow()
    {
        var budget = new LlmBudget { Tokens = 100, WindowHours = 24 };
        UsageSlice[] slices = [new(s_start, 0, 40), new(s_start.AddHours(1), 0, 40), new(s_start.AddHours(2), 0, 40)];

        Assert.True(LlmBudgets.Reached(budget, 0, 120));
        // 120 tokens: the first 40 leaving makes it 80, below 100.
        Assert.Equal(s_start + s_day, await LlmBudgets.LeavesWindowAsync(budget, s_day, 0, 120, slices.ToAsyncEnumerable(), TestContext.Current.CancellationToken));

        // 200 of 100: the first three have to leave (200 - 40 - 40 - 40 = 80).
        UsageSlice[] heavy = [.. slices, new(s_start.AddHours(3), 0, 80)];
        Assert.Equal(s_start.AddHours(2) + s_day, await LlmBudgets.LeavesWindowAsync(budget, s_day, 0, 200, heavy.ToAsyncEnumerable(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ABudgetOfSpendAndTokens_IsSpentWhenEitherIsReached_AndFreeWhenBothAreBelow()
    {
        var budget = new LlmBudget { Amount = 1, Tokens = 1000, WindowHours = 1 };
        Assert.False(LlmBudgets.Reached(budget, 0.99m, 999));
        Assert.True(LlmBudgets.Reached(budget, 1m, 10));
        Assert.True(LlmBudgets.Reached(budget, 0.1m, 1000));

        // The first leaving brings the spend below but not the tokens; the second both.
        UsageSlice[] slices = [new(s_start, 0.6m, 100), new(s_start.AddMinutes(10), 0.1m, 900), new(s_start.AddMinutes(20), 0.5m, 100)];
        var window = TimeSpan.FromHours(1);
        Assert.Equal(s_start.AddMinutes(10) + window, await LlmBudgets.LeavesWindowAsync(budget, window, 1.2m, 1100, slices.ToAsyncEnumerable(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void ABudgetOfNothing_IsNeverReached_AndTheApiShapeRoundTrips()
    {
        Assert.False(LlmBudgets.Reached(new LlmBudget(), 1_000_000m, long.MaxValue));
        var shown = LlmBudgets.ToResponse(LlmBudgets.ToMessage(new ApiKeyBudget(null, "week", 5000, 48)));
        Assert.Equal(new ApiKeyBudget(null, "week", 5000, 48), shown);
    }
}
