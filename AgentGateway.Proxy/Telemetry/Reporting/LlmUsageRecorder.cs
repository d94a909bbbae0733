using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Keeps the usage records of LLM requests for the control plane (which prices them and shows them per key, model and
/// day) until a report takes them. At most <see cref="MaxPending"/> wait: while the control plane cannot be reached
/// for long, the newest records beyond that are dropped (and counted in a log line), never the proxy's memory.
/// </summary>
internal sealed partial class LlmUsageRecorder(ILogger<LlmUsageRecorder> logger)
{
    public const int MaxPending = 100_000;

    private readonly ConcurrentQueue<LlmUsageRecord> _pending = new();
    private int _count;
    private long _dropped;

    /// <summary>Whether records are kept for a report (a control plane is connected).</summary>
    public bool Reporting { get; set; }

    public void Record(LlmUsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!Reporting)
        {
            return;
        }

        if (Interlocked.Increment(ref _count) > MaxPending)
        {
            Interlocked.Decrement(ref _count);
            if (Interlocked.Increment(ref _dropped) % 1000 == 1)
            {
                LogDropped(logger, MaxPending, Interlocked.Read(ref _dropped));
            }

            return;
        }

        _pending.Enqueue(record);
    }

    /// <summary>Takes up to <paramref name="max"/> records, oldest first.</summary>
    public IReadOnlyList<LlmUsageRecord> Drain(int max)
    {
        var taken = new List<LlmUsageRecord>(Math.Min(max, Volatile.Read(ref _count)));
        while (taken.Count < max && _pending.TryDequeue(out var record))
        {
            Interlocked.Decrement(ref _count);
            taken.Add(record);
        }

        return taken;
    }

    /// <summary>Puts back records a report could not deliver (they go after the ones recorded since).</summary>
    public void Requeue(IEnumerable<LlmUsageRecord> records)
    {
        foreach (var record in records)
        {
            if (Interlocked.Increment(ref _count) > MaxPending)
            {
                Interlocked.Decrement(ref _count);
                Interlocked.Increment(ref _dropped);
                continue;
            }

            _pending.Enqueue(record);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Max} LLM usage records wait for the control plane; newer ones are dropped ({Dropped} so far)")]
    private static partial void LogDropped(ILogger logger, int max, long dropped);
}
