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
        var format = usage.Interval == "hour" ? "MMM d HH:mm" : "MMM d";
        var labels = usage.Buckets.Select(bucket => bucket.ToString(format, CultureInfo.InvariantCulture)).ToList();
        var ranked = usage.Groups.OrderByDescending(group => Value(group.Totals, metric)).ThenBy(group => group.Key, StringComparer.Ordinal).ToList();
        var series = ranked.Take(maxGroups).Select(group => (group.Key, group.Points.Select(point => Value(point, metric)).ToArray())).ToList();
        var rest = ranked.Skip(maxGroups).ToList();
        if (rest.Count > 0)
        {
            series.Add((Other, [.. Enumerable.Range(0, labels.Count).Select(index => rest.Sum(group => Value(group.Points[index], metric)))]));
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
