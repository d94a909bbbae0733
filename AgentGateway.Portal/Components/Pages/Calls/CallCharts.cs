using System.Globalization;
using AgentGateway.Portal.Components.Pages.Usage;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Calls;

/// <summary>How the calls page shows its numbers: calls per group and bucket as a chart, durations and error shares as text.</summary>
public static class CallCharts
{
    public const int MaxSeries = 8;

    /// <summary>Calls per bucket, a series per group (the busiest <see cref="MaxSeries"/>, the rest as "other").</summary>
    public static UsageSeries Calls(CallSummaryInfo summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return UsageSeries.Build(summary.Buckets, summary.Interval, summary.Groups.Select(group => (group.Key, group.Totals, group.Points)), totals => totals.Calls, MaxSeries);
    }

    /// <summary>A duration in ms, or a dash when there were no calls.</summary>
    public static string Milliseconds(double? value) =>
        value is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{(ms < 10 ? ms.ToString("0.#", CultureInfo.InvariantCulture) : ms.ToString("0", CultureInfo.InvariantCulture))} ms") : "–";

    /// <summary>The share of calls that did not end well, in percent.</summary>
    public static string Share(CallTotalsInfo totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.Calls == 0 ? "0%" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * totals.Errors / totals.Calls:0.#}%");
    }
}
