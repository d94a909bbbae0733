using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry.Reporting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentGateway.Tests.Proxy.Telemetry.Reporting;

/// <summary>The proxy's backlog of usage records, and the calendar periods of budgets.</summary>
public sealed class LlmUsageRecorderTests
{
    [Fact]
    public void Records_AreKeptOnlyWhileReporting_DrainedOldestFirst_AndCappedWithRequeuesIncluded()
    {
        var recorder = new LlmUsageRecorder(NullLogger<LlmUsageRecorder>.Instance);
        recorder.Record(new LlmUsageRecord { Model = "ignored" });
        Assert.Empty(recorder.Drain(10));

        recorder.Reporting = true;
        for (var index = 0; index < LlmUsageRecorder.MaxPending + 5; index++)
        {
            recorder.Record(new LlmUsageRecord { Model = $"m{index}" });
        }

        var first = recorder.Drain(3);
        Assert.Equal(["m0", "m1", "m2"], first.Select(record => record.Model));

        // A failed report puts its records back; past the cap, what does not fit is dropped.
        recorder.Requeue([.. first, new LlmUsageRecord { Model = "over" }, new LlmUsageRecord { Model = "over too" }]);
        var all = recorder.Drain(int.MaxValue);
        Assert.Equal(LlmUsageRecorder.MaxPending, all.Count);
        Assert.Equal("m3", all[0].Model);
        Assert.Equal(["m0", "m1", "m2"], all.TakeLast(3).Select(record => record.Model));
        Assert.DoesNotContain(all, record => record.Model.StartsWith("over", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(BudgetPeriod.Day, "2026-12-02T13:45:00Z", "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z")]
    [InlineData(BudgetPeriod.Week, "2026-12-02T13:45:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")]
    [InlineData(BudgetPeriod.Week, "2026-12-06T23:59:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")]
    [InlineData(BudgetPeriod.Month, "2026-12-31T23:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void ABudgetPeriod_IsACalendarPeriodInUtc_WeeksFromMonday(BudgetPeriod period, string now, string start, string end)
    {
        Assert.Equal((DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)),
            LlmBudgets.PeriodOf(period, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
