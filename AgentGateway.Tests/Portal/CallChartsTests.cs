using System.Text.Json;
using AgentGateway.Portal.Components.Pages.Audit;
using AgentGateway.Portal.Components.Pages.Calls;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;

namespace AgentGateway.Tests.Portal;

/// <summary>How the calls and audit pages turn AdminApi's answers into charts, diffs and times.</summary>
public sealed class CallChartsTests
{
    private static readonly DateTimeOffset s_hour = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static CallTotalsInfo Totals(long calls, long errors, double? p50, double? p99, long tokens = 0, decimal cost = 0) => new(calls, errors, p50, p99, tokens, 0, cost);

    [Fact]
    public void Counts_Stack_WhilePercentiles_AreTheTenantsThenTheBusiestGroups_NeverSummed()
    {
        var summary = new CallSummaryInfo(s_hour, s_hour.AddHours(2), "hour", "tool", Totals(6, 2, 30, 90), [s_hour, s_hour.AddHours(1)],
        [
            new("tools/call search", Totals(4, 1, 20, 40), [Totals(3, 1, 15, 30), Totals(1, 0, 40, 40)]),
            new("chat.completions fast", Totals(2, 1, 300, 398, tokens: 150, cost: 0.25m), [Totals(0, 0, null, null), Totals(2, 1, 300, 398, tokens: 150, cost: 0.25m)]),
        ],
        [Totals(3, 1, 15, 30), Totals(3, 1, 200, 390, tokens: 150)]);

        var errors = CallCharts.Chart(summary, CallMetric.Errors);
        Assert.Equal(["Dec 1 10:00", "Dec 1 11:00"], errors.Labels);
        // As many errors each: by name.
        Assert.Equal([("chat.completions fast", new[] { 0.0, 1.0 }), ("tools/call search", new[] { 1.0, 0.0 })], errors.Series.Select(series => (series.Name, series.Values)));

        var p99 = CallCharts.Chart(summary, CallMetric.P99);
        Assert.Equal([CallCharts.All, "tools/call search", "chat.completions fast"], p99.Series.Select(series => series.Name));
        Assert.Equal([30.0, 390.0], p99.Series[0].Values);
        Assert.Equal([0.0, 398.0], p99.Series[2].Values);
        Assert.Equal([0.0, 150.0], CallCharts.Chart(summary, CallMetric.Tokens).Series.Single(series => series.Name == "chat.completions fast").Values);
        Assert.Equal([0.0, 0.25], CallCharts.Chart(summary, CallMetric.Cost).Series.Single(series => series.Name == "chat.completions fast").Values);
    }

    [Theory]
    [InlineData(null, "–")]
    [InlineData("0", "–")]
    [InlineData("0.00042", "$0.0004")]
    [InlineData("12.345", "$12.35")]
    public void Usd_ShowsCents_OrFourPlacesUnderACent(string? amount, string expected)
    {
        Assert.Equal(expected, CallCharts.Usd(amount is null ? null : decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void AuditValues_AreIndentedJsonInNameOrder_AndNothingWhenAbsent()
    {
        using var values = JsonDocument.Parse("""{"url":"http://b","description":null,"name":"utils"}""");
        Assert.Equal("{\n  \"description\": null,\n  \"name\": \"utils\",\n  \"url\": \"http://b\"\n}", AuditText.Values(values.RootElement).ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, AuditText.Values(null));
    }

    [Theory]
    [InlineData("2026-05-01T13:30", "2026-05-01T13:30:00.0000000+00:00")]
    [InlineData("2026-05-01T13:30:15", "2026-05-01T13:30:15.0000000+00:00")]
    [InlineData("", null)]
    [InlineData("yesterday", null)]
    public void UtcTime_ReadsADateTimeLocalInput_AsUtc(string text, string? expected)
    {
        Assert.Equal(expected, UtcTime.Parse(text)?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }
}
