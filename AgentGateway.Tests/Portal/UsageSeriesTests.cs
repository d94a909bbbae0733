using AgentGateway.Portal.Components.Pages.Usage;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>How the usage page turns AdminApi's usage into chart series.</summary>
public sealed class UsageSeriesTests
{
    private static LlmUsageTotalsInfo Totals(long requests, long tokens, decimal cost) => new(requests, tokens, tokens, cost, 0);

    private static LlmUsageGroupInfo Group(string key, params (long Requests, long Tokens, decimal Cost)[] points) =>
        new(key, Totals(points.Sum(point => point.Requests), points.Sum(point => point.Tokens), points.Sum(point => point.Cost)),
            [.. points.Select(point => Totals(point.Requests, point.Tokens, point.Cost))]);

    [Fact]
    public void TheLargestGroups_AreSeries_AndTheRestIsSummedAsOther()
    {
        var day = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        var usage = new LlmUsageInfo(day, day.AddDays(2), "day", "model", "USD", Totals(0, 0, 0), [day, day.AddDays(1)],
        [
            Group("cheap-but-busy", (50, 100, 0.01m), (50, 100, 0.01m)),
            Group("smart", (1, 10, 2m), (2, 20, 3m)),
            Group("tiny", (1, 1, 0.001m), (0, 0, 0m)),
            Group("small", (0, 0, 0m), (1, 2, 0.002m)),
        ]);

        var byCost = UsageSeries.Build(usage, UsageMetric.Cost, maxGroups: 2);
        Assert.Equal(["Nov 30", "Dec 1"], byCost.Labels);
        Assert.Equal(["smart", "cheap-but-busy", UsageSeries.Other], byCost.Series.Select(series => series.Name));
        Assert.Equal([2.0, 3.0], byCost.Series[0].Values);
        Assert.Equal([0.001, 0.002], byCost.Series[2].Values, new ToleranceComparer());

        // By requests the busy model leads; tokens count input and output.
        Assert.Equal("cheap-but-busy", UsageSeries.Build(usage, UsageMetric.Requests, 2).Series[0].Name);
        Assert.Equal([200.0, 200.0], UsageSeries.Build(usage, UsageMetric.Tokens, 1).Series[0].Values);
        Assert.Equal("Dec 1 13:00", UsageSeries.Build(usage with { Interval = "hour", Buckets = [day.AddDays(1).AddHours(13)], Groups = [] }, UsageMetric.Cost, 2).Labels.Single());
    }

    [Theory]
    [InlineData("0", "0.00 USD")]
    [InlineData("12.345", "12.35 USD")]
    [InlineData("0.00135", "0.00135 USD")]
    public void Money_ShowsSmallAmountsToThePrecisionThatMatters(string cost, string shown)
    {
        Assert.Equal(shown, UsageSeries.Money(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), "USD"));
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
