using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Reporting;

/// <summary>Collects tool definitions no approved pin matches, each reported once per definition, until the next report.</summary>
internal sealed class ToolObservationRecorder
{
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private ConcurrentQueue<ToolObservation> _pending = new();

    public void Record(ToolObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (_reported.TryAdd($"{observation.Tenant}/{observation.Route}/{observation.Target}/{observation.Tool}/{observation.Sha256}", 0))
        {
            _pending.Enqueue(observation);
        }
    }

    public IReadOnlyList<ToolObservation> Drain() => [.. Interlocked.Exchange(ref _pending, new ConcurrentQueue<ToolObservation>())];

    /// <summary>Puts back observations a report could not deliver.</summary>
    public void Requeue(IEnumerable<ToolObservation> observations)
    {
        foreach (var observation in observations)
        {
            _pending.Enqueue(observation);
        }
    }
}
