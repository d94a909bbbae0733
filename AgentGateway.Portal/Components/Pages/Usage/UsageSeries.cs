using System.Globalization;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.Usage;

/// <summary>What a usage chart plots: spend, tokens (input and output) or requests.</summary>
public enum UsageMetric
{
    Cost,
    Tokens,
    Requests,
}

/// <summary>
/// A usage answer as a chart draws it: a label per bucket, and a series per group (the largest
/// <c>maxGroups</c> by the metric, the rest summed as "other").
/// </summary>
public sealed record UsageSeries(IReadOnlyList<string> Labels, IReadOnlyList<(string Name, double[] Values)> Series)
{
    public const string Other = "other";

    public static UsageSeries Build(LlmUsageInfo usage, UsageMetric metric, int maxGroups)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return Build(usage.Buckets, usage.Interval, usage.Groups.Select(group => (group.Key, group.Totals, group.Points)), totals => Value(totals, metric), maxGroups);
    }

    /// <summary>The chart of any grouped, bucketed answer, by <paramref name="value"/> of its totals.</summary>
    public static UsageSeries Build<TTotals>(
        IReadOnlyList<DateTimeOffset> buckets, string interval, IEnumerable<(string Key, TTotals Totals, IReadOnlyList<TTotals> Points)> groups,
        Func<TTotals, double> value, int maxGroups)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(value);
        var format = interval == "hour" ? "MMM d HH:mm" : "MMM d";
        var labels = buckets.Select(bucket => bucket.ToString(format, CultureInfo.InvariantCulture)).ToList();
        var ranked = groups.OrderByDescending(group => value(group.Totals)).ThenBy(group => group.Key, StringComparer.Ordinal).ToList();
        var series = ranked.Take(maxGroups).Select(group => (group.Key, group.Points.Select(value).ToArray())).ToList();
        var rest = ranked.Skip(maxGroups).ToList();
        if (rest.Count > 0)
        {
            series.Add((Other, [.. Enumerable.Range(0, labels.Count).Select(index => rest.Sum(group => value(group.Points[index])))]));
        }

        return new UsageSeries(labels, series);
    }

    public static double Value(LlmUsageTotalsInfo totals, UsageMetric metric)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return metric switch
        {
            UsageMetric.Cost => (double)totals.Cost,
            UsageMetric.Tokens => totals.InputTokens + totals.OutputTokens,
            _ => totals.Requests,
        };
    }

    /// <summary>A cost as people read it: cents and below shown to the precision that matters.</summary>
    public static string Money(decimal cost, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{(cost != 0 && Math.Abs(cost) < 0.01m ? cost.ToString("0.######", CultureInfo.InvariantCulture) : cost.ToString("0.00", CultureInfo.InvariantCulture))} {currency}");
}
