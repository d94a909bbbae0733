using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Calls;

/// <summary>
/// The tenant's calls: calls, errors and latency per route, tool, kind, caller or outcome over time, a search of the
/// records with the details of one call, and whether tool arguments are recorded.
/// </summary>
public sealed partial class Calls
{
    private const int PageSize = 50;

    private static readonly string[] s_outcomes = ["ok", "error", "refused", "unavailable", "cancelled"];

    private readonly List<CallRecordInfo> _calls = [];
    private readonly HashSet<Guid> _open = [];
    private CallSummaryInfo? _summary;
    private TenantInfo? _tenantInfo;
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];
    private AdminApiException? _error;
    private string _period = "24h";
    private string _groupBy = "route";
    private string? _route;
    private string? _target;
    private string? _caller;
    private string? _outcome;
    private CallFilter _filter = new();
    private bool _loading;
    private bool _more;

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

        await LoadSummaryAsync();
        await SearchAsync();
    }

    private async Task SetPeriodAsync(string period)
    {
        _period = period;
        await LoadSummaryAsync();
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
        var now = Time.GetUtcNow();
        var (from, interval) = _period switch
        {
            "7d" => (now.AddDays(-7), "day"),
            "30d" => (now.AddDays(-30), "day"),
            _ => (now.AddHours(-24), "hour"),
        };
        try
        {
            _summary = await Api.GetCallSummaryAsync(Tenant, from, now, interval, _groupBy);
            var chart = CallCharts.Calls(_summary);
            _labels = [.. chart.Labels];
            _series = [.. chart.Series.Select(series => new ChartSeries<double> { Name = series.Name, Data = new ChartData<double>(series.Values) })];
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private async Task SearchAsync()
    {
        _filter = new CallFilter(_route, _target, _caller, _outcome);
        _calls.Clear();
        _open.Clear();
        await LoadOlderAsync();
    }

    private async Task LoadOlderAsync()
    {
        _loading = true;
        try
        {
            var page = await Api.GetCallsAsync(Tenant, _filter, _calls.Count == 0 ? null : _calls[^1].At, PageSize);
            _calls.AddRange(page);
            _more = page.Count == PageSize;
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
        finally
        {
            _loading = false;
        }
    }

    private void Toggle(Guid id)
    {
        if (!_open.Remove(id))
        {
            _open.Add(id);
        }
    }
}
