using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Calls;

/// <summary>
/// The tenant's calls: calls, errors, p50 and p99 latency and tokens per route, tool, model, caller or key over time,
/// of the calls the filters (time, route, kind, operation, target, caller, outcome) match; those calls, each with a
/// page of its own; and whether tool arguments are recorded.
/// </summary>
public sealed partial class Calls
{
    /// <summary>The grouping per model: per target of the LLM calls.</summary>
    private const string ByModel = "model";

    private const int PageSize = 50;

    private static readonly string[] s_outcomes = ["ok", "error", "refused", "unavailable", "cancelled"];

    private static readonly string[] s_kinds = ["mcp", "a2a", "llm"];

    private readonly NewestFirstPages<CallRecordInfo> _calls = new(PageSize, call => call.At);
    private CallSummaryInfo? _summary;
    private TenantInfo? _tenantInfo;
    private List<Chart> _charts = [];
    private AdminApiException? _error;
    private string _period = "24h";
    private string _groupBy = "route";
    private string? _from;
    private string? _to;
    private string? _route;
    private string? _kind;
    private string? _operation;
    private string? _target;
    private string? _caller;
    private string? _outcome;
    private CallFilter _filter = new();

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _tenantInfo = await Api.GetTenantAsync(Tenant);
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }

        await ApplyAsync();
    }

    private async Task ApplyAsync()
    {
        var now = Time.GetUtcNow();
        var (from, to) = _period switch
        {
            "7d" => (now.AddDays(-7), now),
            "30d" => (now.AddDays(-30), now),
            "custom" => (UtcTime.Parse(_from), UtcTime.Parse(_to) ?? now),
            _ => (now.AddHours(-24), now),
        };
        _filter = new CallFilter(_route, _target, _caller, _outcome, _kind, _operation, from ?? to.AddDays(-7), to);
        _error = null;
        await LoadSummaryAsync();
        _calls.Clear();
        await LoadOlderAsync();
    }

    private async Task SetGroupByAsync(string groupBy)
    {
        _groupBy = groupBy;
        await LoadSummaryAsync();
    }

    private async Task SetAuditArgumentsAsync(bool record)
    {
        if (_tenantInfo is not { } tenant)
        {
            return;
        }

        try
        {
            _tenantInfo = await Api.SetAuditArgumentsAsync(Tenant, tenant.DisplayName, record, tenant.Version);
            _error = null;
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private async Task LoadSummaryAsync()
    {
        var (from, to) = (_filter.From!.Value, _filter.To!.Value);
        var interval = to - from <= TimeSpan.FromDays(3) ? "hour" : "day";
        var (groupBy, filter) = _groupBy == ByModel ? ("target", _filter with { Kind = "llm" }) : (_groupBy, _filter);
        try
        {
            _summary = await Api.GetCallSummaryAsync(Tenant, from, to, interval, groupBy, filter);
            var tokens = filter.Kind == "llm" || _summary.Totals.InputTokens + _summary.Totals.OutputTokens > 0;
            _charts =
            [
                Chart.Of(_summary, CallMetric.Calls, "Calls", "calls-chart", ChartType.StackedBar),
                Chart.Of(_summary, CallMetric.Errors, "Errors (not ok)", "calls-errors-chart", ChartType.StackedBar),
                Chart.Of(_summary, CallMetric.P50, "Median latency (ms)", "calls-p50-chart", ChartType.Line),
                Chart.Of(_summary, CallMetric.P99, "99th percentile latency (ms)", "calls-p99-chart", ChartType.Line),
                .. tokens ? [Chart.Of(_summary, CallMetric.Tokens, "Tokens (in and out)", "calls-tokens-chart", ChartType.StackedBar)] : Array.Empty<Chart>(),
                .. _summary.Totals.Cost > 0 ? [Chart.Of(_summary, CallMetric.Cost, "Cost (USD)", "calls-cost-chart", ChartType.StackedBar)] : Array.Empty<Chart>(),
            ];
        }
        catch (AdminApiException exception)
        {
            _summary = null;
            _error = exception;
        }
    }

    private async Task LoadOlderAsync() =>
        _error = await _calls.LoadOlderAsync((before, limit) => Api.GetCallsAsync(Tenant, _filter, before, limit)) ?? _error;

    /// <summary>One chart of the page: its title, test id, type, labels and series.</summary>
    private sealed record Chart(string Title, string TestId, ChartType Type, string[] Labels, List<ChartSeries<double>> Series)
    {
        public static Chart Of(CallSummaryInfo summary, CallMetric metric, string title, string testId, ChartType type)
        {
            var chart = CallCharts.Chart(summary, metric);
            return new Chart(title, testId, type, [.. chart.Labels],
                [.. chart.Series.Select(series => new ChartSeries<double> { Name = series.Name, Data = new ChartData<double>(series.Values) })]);
        }
    }
}
