using System.Globalization;

namespace AgentGateway.Tests.Fixtures;

/// <summary>Reads series out of a Prometheus text scrape.</summary>
public static class PrometheusText
{
    /// <summary>The value of the one series of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Value(string scrape, string metric, params string[] labels)
    {
        var lines = Series(scrape, metric, labels);
        Assert.True(lines.Count == 1, $"Expected one series of {metric} with {string.Join(",", labels)}; got:\n{string.Join('\n', lines)}\nin:\n{scrape}");
        return double.Parse(lines[0][(lines[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>The value of that series, or null when there is none.</summary>
    public static double? ValueOrNone(string scrape, string metric, params string[] labels) =>
        Series(scrape, metric, labels).Count == 0 ? null : Value(scrape, metric, labels);

    /// <summary>How much the series grew from <paramref name="before"/> to <paramref name="after"/> (absent before: from zero).</summary>
    public static double Added(string before, string after, string metric, params string[] labels) =>
        Value(after, metric, labels) - (ValueOrNone(before, metric, labels) ?? 0);

    /// <summary>The lines of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static List<string> Series(string scrape, string metric, params string[] labels) => scrape.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
        .ToList();
}
