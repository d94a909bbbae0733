using System.Collections.Concurrent;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Records that wait for the next report to the control plane. At most <see cref="MaxPending"/> wait: while the
/// control plane cannot be reached for long, the newest beyond that are dropped (and counted in a log line), never
/// the proxy's memory.
/// </summary>
internal abstract class PendingRecords<T>(ILogger logger, string what)
    where T : class
{
    public const int MaxPending = 100_000;

    private readonly ConcurrentQueue<T> _pending = new();
    private int _count;
    private long _dropped;

    /// <summary>Whether records are kept for a report (a control plane is connected).</summary>
    public bool Reporting { get; set; }

    public void Record(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!Reporting)
        {
            return;
        }

        if (!TryAdd(record) && Interlocked.Read(ref _dropped) % 1000 == 1)
        {
            ReportingLog.Dropped(logger, MaxPending, what, Interlocked.Read(ref _dropped));
        }
    }

    /// <summary>Takes up to <paramref name="max"/> records, oldest first.</summary>
    public IReadOnlyList<T> Drain(int max)
    {
        var taken = new List<T>(Math.Min(max, Volatile.Read(ref _count)));
        while (taken.Count < max && _pending.TryDequeue(out var record))
        {
            Interlocked.Decrement(ref _count);
            taken.Add(record);
        }

        return taken;
    }

    /// <summary>Puts back records a report could not deliver (they go after the ones recorded since).</summary>
    public void Requeue(IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            TryAdd(record);
        }
    }

    private bool TryAdd(T record)
    {
        if (Interlocked.Increment(ref _count) > MaxPending)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        _pending.Enqueue(record);
        return true;
    }
}

internal static partial class ReportingLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Max} {What} wait for the control plane; newer ones are dropped ({Dropped} so far)")]
    public static partial void Dropped(ILogger logger, int max, string what, long dropped);
}
