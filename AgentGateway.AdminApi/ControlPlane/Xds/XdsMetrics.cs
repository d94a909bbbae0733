using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentGateway.AdminApi.ControlPlane.Reports;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// The config distribution as metrics (meter <c>AgentGateway.AdminApi</c>): the revision this replica serves, the
/// proxies connected to it by what they hold of it (current, partial, behind, nacked), and their replies (ack, partial,
/// nack) as they come.
/// </summary>
internal sealed class XdsMetrics
{
    private readonly Counter<long> _replies;

    public XdsMetrics(IMeterFactory meterFactory, XdsSnapshotCache cache, ProxyRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(registry);
        var meter = meterFactory.Create(ReportMetrics.MeterName);
        meter.CreateObservableGauge("agentgateway.xds.revision", () => Math.Max(0, cache.Current.Revision), "{revision}", "The config revision this replica serves to proxies.");
        meter.CreateObservableGauge("agentgateway.xds.proxies", () => Proxies(cache.Current.SystemVersion, registry.Connected), "{proxy}",
            "Proxies connected to this replica by state: current (applied the revision served), partial (applied it but for routes they refuse), behind, nacked.");
        _replies = meter.CreateCounter<long>("agentgateway.xds.replies", "{reply}", "Proxies' replies to config pushes, by result (ack, partial, nack).");
    }

    /// <param name="result"><c>ack</c>, <c>partial</c> or <c>nack</c>.</param>
    public void Replied(string result) => _replies.Add(1, new TagList { { "result", result } });

    private static IEnumerable<Measurement<int>> Proxies(string served, IReadOnlyCollection<ProxyStatus> connected)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["current"] = 0, ["partial"] = 0, ["behind"] = 0, ["nacked"] = 0 };
        foreach (var proxy in connected)
        {
            var state = proxy.LastNackError is not null ? "nacked"
                : proxy.AckedVersion != served ? "behind"
                : proxy.Rejected.Count > 0 ? "partial"
                : "current";
            counts[state]++;
        }

        return counts.Select(count => new Measurement<int>(count.Value, new TagList { { "state", count.Key } }));
    }
}
