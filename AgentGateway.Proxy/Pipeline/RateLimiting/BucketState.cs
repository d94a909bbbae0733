namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// What taking tokens from one bucket found: whether there were enough, the bucket's size and what is left, and how
/// long until it is full again (<see cref="ResetMs"/>) or holds enough for the refused request (<see cref="RetryAfterMs"/>).
/// </summary>
internal readonly record struct BucketState(string Name, bool Allowed, long Limit, long Remaining, long ResetMs, long RetryAfterMs)
{
    /// <summary>Whether this state says less is left than <paramref name="other"/> (the tighter bucket's headers are sent).</summary>
    public bool IsTighterThan(BucketState other) =>
        Remaining != other.Remaining ? Remaining < other.Remaining : Limit < other.Limit;

    /// <summary>
    /// State of a bucket that fills <paramref name="perFill"/> every <paramref name="intervalMs"/> up to
    /// <paramref name="max"/>, holding <paramref name="tokens"/> with <paramref name="untilNextFillMs"/> to the next fill.
    /// </summary>
    public static BucketState Of(string name, bool allowed, long max, long perFill, long intervalMs, long tokens, long untilNextFillMs, long cost)
    {
        var missing = max - tokens;
        var resetMs = missing <= 0 ? 0 : untilNextFillMs + (FillsFor(missing, perFill) - 1) * intervalMs;
        long retryMs = 0;
        if (!allowed)
        {
            // A cost larger than the bucket never fits: the client is told when the bucket is full again.
            var needed = Math.Min(cost, max) - tokens;
            retryMs = needed <= 0 ? untilNextFillMs : untilNextFillMs + (FillsFor(needed, perFill) - 1) * intervalMs;
        }

        return new BucketState(name, allowed, max, tokens, resetMs, retryMs);
    }

    private static long FillsFor(long tokens, long perFill) => (tokens + perFill - 1) / perFill;
}
