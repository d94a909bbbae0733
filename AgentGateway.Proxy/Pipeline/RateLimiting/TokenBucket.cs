namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// A lock-free token bucket. Its state is one 64-bit word updated by compare-and-swap: the index of the last fill
/// interval it was brought up to date in (high half) and its tokens (low half). Fills are aligned to the clock:
/// every <see cref="BucketDefinition.FillIntervalMs"/> since the limiter's start adds <see cref="BucketDefinition.TokensPerFill"/>.
/// </summary>
internal sealed class TokenBucket
{
    private long _state;
    private long _lastUsedMs;

    public TokenBucket(BucketDefinition definition, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        _state = Pack(FillIndex(nowMs, definition), definition.MaxTokens);
        _lastUsedMs = nowMs;
    }

    public BucketDefinition Definition { get; }

    /// <summary>When the bucket was last taken from, in the limiter's milliseconds.</summary>
    public long LastUsedMs => Volatile.Read(ref _lastUsedMs);

    /// <summary>Takes <paramref name="cost"/> tokens when the bucket holds that many; otherwise takes none.</summary>
    public BucketState TryTake(long nowMs, long cost)
    {
        var definition = Definition;
        var index = FillIndex(nowMs, definition);
        Volatile.Write(ref _lastUsedMs, nowMs);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var (tokens, current) = Refilled(state, index, definition);
            var allowed = tokens >= cost;
            var left = allowed ? tokens - cost : tokens;
            if (Interlocked.CompareExchange(ref _state, Pack(current, (uint)left), state) == state)
            {
                return BucketState.Of(definition.Name, allowed, definition.MaxTokens, definition.TokensPerFill, definition.FillIntervalMs,
                    left, definition.FillIntervalMs - nowMs % definition.FillIntervalMs, cost);
            }
        }
    }

    /// <summary>Takes <paramref name="cost"/> tokens, or all there are when fewer: a use already made (an LLM answer's tokens).</summary>
    public void Debit(long nowMs, long cost)
    {
        Volatile.Write(ref _lastUsedMs, nowMs);
        Adjust(nowMs, -cost);
    }

    /// <summary>Gives back tokens taken for a request that another limit refused.</summary>
    public void Return(long nowMs, long cost) => Adjust(nowMs, cost);

    /// <summary>Adds <paramref name="delta"/> tokens (negative: takes them), keeping the bucket between empty and full.</summary>
    private void Adjust(long nowMs, long delta)
    {
        var definition = Definition;
        var index = FillIndex(nowMs, definition);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var (tokens, current) = Refilled(state, index, definition);
            if (Interlocked.CompareExchange(ref _state, Pack(current, (uint)Math.Clamp(tokens + delta, 0, definition.MaxTokens)), state) == state)
            {
                return;
            }
        }
    }

    /// <summary>Whether an untouched bucket would be full again by <paramref name="nowMs"/>, so forgetting it changes nothing.</summary>
    public bool IsIdle(long nowMs) => nowMs - LastUsedMs > Definition.RefillAllMs + Definition.FillIntervalMs;

    /// <summary>The bucket's tokens at fill <paramref name="index"/>, and the fill index to store with them.</summary>
    private static (long Tokens, uint Index) Refilled(long state, uint index, BucketDefinition definition)
    {
        var (lastIndex, tokens) = Unpack(state);
        // Wrapping subtraction: right for any gap shorter than 2^31 intervals (idle buckets are evicted long before). A
        // thread that read the clock just before another one stored a later fill sees a negative gap: no fill.
        var fills = unchecked((int)(index - lastIndex));
        return fills <= 0
            ? (tokens, lastIndex)
            : (Math.Min(definition.MaxTokens, tokens + (long)fills * definition.TokensPerFill), index);
    }

    private static uint FillIndex(long nowMs, BucketDefinition definition) => unchecked((uint)(nowMs / definition.FillIntervalMs));

    private static long Pack(uint index, uint tokens) => (long)(((ulong)index << 32) | tokens);

    private static (uint Index, uint Tokens) Unpack(long state) => ((uint)((ulong)state >> 32), (uint)state);
}
