using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Upstream.Health;

/// <summary>
/// What the gateway knows about one destination of one route: the verdict of its active probes and its passive
/// ejection. Kept across config versions while the route and the destination URL stay (see
/// <see cref="DestinationHealthRegistry"/>); updated without locks.
/// </summary>
internal sealed class DestinationHealth
{
    private int _probeUnhealthy;
    private int _probeFailures;
    private int _probePasses;
    private int _requestFailures;
    private long _ejectedUntilTicks;

    /// <summary>Whether the destination may take requests at <paramref name="now"/>.</summary>
    public bool IsAvailable(DateTimeOffset now) => Volatile.Read(ref _probeUnhealthy) == 0 && now.UtcTicks >= Interlocked.Read(ref _ejectedUntilTicks);

    /// <summary>Whether active probes currently hold the destination unhealthy.</summary>
    public bool FailsProbes => Volatile.Read(ref _probeUnhealthy) != 0;

    /// <summary>Records a probe; returns true when the verdict changed.</summary>
    public bool RecordProbe(bool passed, int unhealthyThreshold, int healthyThreshold)
    {
        if (passed)
        {
            Interlocked.Exchange(ref _probeFailures, 0);
            if (Interlocked.Increment(ref _probePasses) >= healthyThreshold)
            {
                return Interlocked.Exchange(ref _probeUnhealthy, 0) != 0;
            }

            return false;
        }

        Interlocked.Exchange(ref _probePasses, 0);
        if (Interlocked.Increment(ref _probeFailures) >= unhealthyThreshold)
        {
            return Interlocked.Exchange(ref _probeUnhealthy, 1) == 0;
        }

        return false;
    }

    /// <summary>Forgets the probes' verdict (the route no longer probes the destination).</summary>
    public void ClearProbes()
    {
        Interlocked.Exchange(ref _probeUnhealthy, 0);
        Interlocked.Exchange(ref _probeFailures, 0);
        Interlocked.Exchange(ref _probePasses, 0);
    }

    /// <summary>Records the outcome of a request; returns true when it ejected the destination.</summary>
    public bool RecordRequest(bool failed, PassiveHealthCheck? passive, DateTimeOffset now)
    {
        if (passive is null)
        {
            return false;
        }

        if (!failed)
        {
            if (Volatile.Read(ref _requestFailures) != 0)
            {
                Interlocked.Exchange(ref _requestFailures, 0);
            }

            return false;
        }

        var threshold = passive.ConsecutiveFailures == 0 ? 5 : (int)passive.ConsecutiveFailures;
        if (Interlocked.Increment(ref _requestFailures) < threshold)
        {
            return false;
        }

        Interlocked.Exchange(ref _requestFailures, 0);
        var ejection = TimeSpan.FromMilliseconds(passive.EjectionMs == 0 ? 30_000 : passive.EjectionMs);
        Interlocked.Exchange(ref _ejectedUntilTicks, (now + ejection).UtcTicks);
        return true;
    }
}
