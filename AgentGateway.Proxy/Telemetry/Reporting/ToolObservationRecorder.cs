using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Collects tool definitions no approved pin matches, each once per definition: logged (with the hash a standalone
/// file pins it by) and, when a control plane is connected, kept until the next report.
/// </summary>
internal sealed partial class ToolObservationRecorder(ILogger<ToolObservationRecorder> logger)
{
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private ConcurrentQueue<ToolObservation> _pending = new();

    /// <summary>Whether observations are kept for a report (a control plane is connected).</summary>
    public bool Reporting { get; set; }

    public void Record(ToolObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (_reported.TryAdd($"{observation.Tenant}/{observation.Route}/{observation.Target}/{observation.Tool}/{observation.Sha256}", 0))
        {
            LogObserved(logger, observation.Tenant, observation.Route, observation.Target, observation.Tool, observation.Sha256,
                observation.Findings.Count == 0 ? "none" : string.Join("; ", observation.Findings));
            if (Reporting)
            {
                _pending.Enqueue(observation);
            }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Tenant}/{Route}: tool {Tool} of target {Target} has no matching approved pin (sha256 {Sha256}; findings: {Findings})")]
    private static partial void LogObserved(ILogger logger, string tenant, string route, string target, string tool, string sha256, string findings);
}
