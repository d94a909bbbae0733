namespace AgentGateway.AdminApi.Domain.ApiKeys;

/// <summary>An LLM budget: a spend, tokens or both, over a calendar period or a rolling window.</summary>
/// <param name="Amount">In USD, more than 0; null or 0: no limit on the spend (then tokens is set).</param>
/// <param name="Period">'day', 'week' (from Monday) or 'month' (the default), in UTC; ignored with a window.</param>
/// <param name="Tokens">Input and output tokens together; null: no limit on tokens.</param>
/// <param name="WindowHours">A rolling window of this many hours (at most 8784) instead of the calendar period.</param>
public sealed record ApiKeyBudget(decimal? Amount, string? Period = null, long? Tokens = null, int? WindowHours = null);

/// <summary>What a budget's use came to in its current period or window, and until when it is exhausted (null: it is not).</summary>
public sealed record BudgetState(decimal Spent, long Tokens, DateTimeOffset? ExhaustedUntil);

/// <summary>One use of an LLM as a budget counts it: when, its cost (0 when unpriced) and its tokens.</summary>
public readonly record struct UsageSlice(DateTimeOffset At, decimal Cost, long Tokens);
