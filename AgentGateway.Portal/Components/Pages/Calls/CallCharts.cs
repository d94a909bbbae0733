using System.Globalization;
using AgentGateway.Portal.Components.Pages.Usage;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Calls;

/// <summary>What the calls page charts over time and how it shows its numbers.</summary>
public enum CallMetric
{
    Calls,
    Errors,
    P50,
    P99,
    Tokens,
    Cost,
}

/// <summary>How the calls page shows its numbers: calls, errors, latency, tokens and cost per group and bucket as charts, durations and error shares as text.</summary>
public static class CallCharts
{
    public const int MaxSeries = 8;

    /// <summary>The series of every bucket's calls of the tenant, over all groups, in a percentile chart.</summary>
    public const string All = "(all)";

    /// <summary>Calls per bucket, a series per group (the busiest <see cref="MaxSeries"/>, the rest as "other").</summary>
    public static UsageSeries Calls(CallSummaryInfo summary) => Chart(summary, CallMetric.Calls);

    /// <summary>
    /// <paramref name="metric"/> per bucket, a series per group. Counts stack: the largest <see cref="MaxSeries"/> groups
    /// and the rest as "other". Percentiles do not add up: the tenant's over all groups, then those of the busiest groups;
    /// a bucket without calls is 0.
    /// </summary>
    public static UsageSeries Chart(CallSummaryInfo summary, CallMetric metric)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var groups = summary.Groups.Select(group => (group.Key, group.Totals, group.Points));
        if (metric is not (CallMetric.P50 or CallMetric.P99))
        {
            return UsageSeries.Build(summary.Buckets, summary.Interval, groups, totals => Value(totals, metric), MaxSeries);
        }

        var ranked = UsageSeries.Build(summary.Buckets, summary.Interval, groups, totals => totals.Calls, MaxSeries - 1);
        var busiest = ranked.Series.Where(series => series.Name != UsageSeries.Other)
            .Select(series => (series.Name, summary.Groups.First(group => group.Key == series.Name).Points.Select(point => Value(point, metric)).ToArray()));
        var all = summary.Points is { } points ? [(All, points.Select(point => Value(point, metric)).ToArray())] : Array.Empty<(string, double[])>();
        return new UsageSeries(ranked.Labels, [.. all, .. busiest]);
    }

    public static double Value(CallTotalsInfo totals, CallMetric metric)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return metric switch
        {
            CallMetric.Errors => totals.Errors,
            CallMetric.P50 => totals.P50Ms ?? 0,
            CallMetric.P99 => totals.P99Ms ?? 0,
            CallMetric.Tokens => totals.InputTokens + totals.OutputTokens,
            CallMetric.Cost => (double)totals.Cost,
            _ => totals.Calls,
        };
    }

    /// <summary>A duration in ms, or a dash when there were no calls.</summary>
    public static string Milliseconds(double? value) =>
        value is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{(ms < 10 ? ms.ToString("0.#", CultureInfo.InvariantCulture) : ms.ToString("0", CultureInfo.InvariantCulture))} ms") : "–";

    /// <summary>An amount in USD, to the cent, or to four places under a cent; a dash for none.</summary>
    public static string Usd(decimal? amount) => amount switch
    {
        null or 0 => "–",
        < 0.01m => string.Create(CultureInfo.InvariantCulture, $"${amount:0.0000}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"${amount:0.00}"),
    };

    /// <summary>The share of calls that did not end well, in percent.</summary>
    public static string Share(CallTotalsInfo totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.Calls == 0 ? "0%" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * totals.Errors / totals.Calls:0.#}%");
    }
}
