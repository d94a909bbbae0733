using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Usage;

/// <summary>The tenant's LLM usage: spend, tokens or requests per model, key, provider, route or caller over time, and the latest requests.</summary>
public sealed partial class LlmUsage
{
    private const int MaxSeries = 8;

    private LlmUsageInfo? _usage;
    private List<LlmUsageRecordInfo> _records = [];
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];
    private AdminApiException? _error;
    private string _period = "7d";
    private string _groupBy = "model";
    private UsageMetric _metric = UsageMetric.Cost;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private string GroupTitle => _groupBy switch
    {
        "api-key" => "API key",
        "subject" => "Caller",
        _ => char.ToUpperInvariant(_groupBy[0]) + _groupBy[1..],
    };

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task SetPeriodAsync(string period)
    {
        _period = period;
        await LoadAsync();
    }

    private async Task SetGroupByAsync(string groupBy)
    {
        _groupBy = groupBy;
        await LoadAsync();
    }

    private void SetMetric(UsageMetric metric)
    {
        _metric = metric;
        Chart();
    }

    private async Task LoadAsync()
    {
        var now = Time.GetUtcNow();
        var (from, interval) = _period switch
        {
            "24h" => (now.AddHours(-24), "hour"),
            "30d" => (now.AddDays(-30), "day"),
            "90d" => (now.AddDays(-90), "day"),
            _ => (now.AddDays(-7), "day"),
        };
        try
        {
            _usage = await Api.GetLlmUsageAsync(Tenant, from, now, interval, _groupBy);
            _records = await Api.GetLlmUsageRecordsAsync(Tenant, 25);
            _error = null;
            Chart();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private void Chart()
    {
        if (_usage is null)
        {
            return;
        }

        var built = UsageSeries.Build(_usage, _metric, MaxSeries);
        _labels = [.. built.Labels];
        _series = [.. built.Series.Select(series => new ChartSeries<double> { Name = series.Name, Data = new ChartData<double>(series.Values) })];
    }
}
