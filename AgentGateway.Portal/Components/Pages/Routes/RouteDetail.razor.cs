using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Routes;

/// <summary>A route: its tools through the gateway, the playground, its effective policies, its tool pins and its settings.</summary>
public sealed partial class RouteDetail
{
    private RouteInfo? _route;
    private RouteTools? _tools;
    private RouteCatalog? _catalog;
    private AdminApiException? _error;
    private string? _gatewayError;
    private bool _loading = true;
    private CatalogEntry? _chosen;
    private string _arguments = "{}";
    private string? _result;
    private string? _callError;
    private bool _calling;
    private string _prefixMode = "conditional";
    private string _failureMode = "open";
    private int? _timeout;
    private string _toolPinning = "withhold";
    private bool _canApprove;
    private bool _saving;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Parameter]
    public string Route { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private GatewayPlayground Gateway { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The tools as the gateway serves them, or as the control plane lists them when the gateway cannot be asked.</summary>
    private IEnumerable<CatalogEntry>? ToolRows => _catalog?.Tools
        ?? _tools?.Tools.Select(tool => new CatalogEntry(tool.Name, tool.Target, tool.Description, tool.InputSchema.GetRawText()));

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        try
        {
            _route = await Api.GetRouteAsync(Tenant, Route);
            (_prefixMode, _failureMode, _timeout, _toolPinning) = (_route.PrefixMode, _route.FailureMode, _route.TargetTimeoutMs, _route.ToolPinning);
            _canApprove = (await Api.GetMeAsync()).Allows(Tenant, TenantRoles.Admin);
            try
            {
                _catalog = await Gateway.ListAsync(_route, CancellationToken.None);
                _gatewayError = null;
            }
            catch (PlaygroundException exception)
            {
                _gatewayError = exception.Message;
                _tools = await Api.GetRouteToolsAsync(Tenant, Route);
            }
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

    private void Choose(CatalogEntry tool)
    {
        _chosen = tool;
        _arguments = "{}";
        _result = null;
        _callError = null;
    }

    private async Task CallAsync()
    {
        if (_route is null || _chosen is null)
        {
            return;
        }

        _calling = true;
        _callError = null;
        try
        {
            _result = await Gateway.CallToolAsync(_route, _chosen.Name, _arguments, CancellationToken.None);
        }
        catch (PlaygroundException exception)
        {
            _result = null;
            _callError = exception.Message;
        }
        finally
        {
            _calling = false;
        }
    }

    private async Task SaveAsync()
    {
        if (_route is null)
        {
            return;
        }

        _saving = true;
        try
        {
            _route = await Api.UpdateRouteAsync(Tenant, Route, new RouteUpdate(_route.Path, _route.Targets, _prefixMode, _failureMode, _timeout, _toolPinning), _route.Version);
            _error = null;
            Snackbar.Add("Saved; proxies apply it within moments.", Severity.Success);
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task CopyAsync()
    {
        if (_route is not null)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _route.Endpoint);
        }
    }
}
