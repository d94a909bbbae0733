using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Routes;

/// <summary>
/// A route: how it matches and its backend by kind — for MCP its tools through the gateway, the playground, tool pins
/// and settings; for HTTP its destinations and health checks; for A2A its agent's card and the gateway's card URLs —
/// and its effective policies.
/// </summary>
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
    private bool _canEdit;
    private AgentInfo? _agent;
    private AdminApiException? _agentError;
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

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private bool IsMcp => _route is { Kind: RouteKinds.Mcp };

    private string EndpointTitle => _route?.Kind switch
    {
        RouteKinds.Http => "Endpoint (HTTP; requests are forwarded with the path below it)",
        RouteKinds.A2a => "Endpoint (the agent's A2A base URL at the gateway)",
        _ => $"Endpoint (Streamable HTTP; legacy HTTP+SSE clients use {_route?.Endpoint}/sse)",
    };

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
            var me = await Api.GetMeAsync();
            _canApprove = me.Allows(Tenant, TenantRoles.Admin);
            _canEdit = me.Allows(Tenant, TenantRoles.Developer);
            if (_route.Kind == RouteKinds.Mcp)
            {
                await ListThroughGatewayAsync(_route);
            }
            else if (_route.Kind == RouteKinds.A2a && _route.Agent is { } agent)
            {
                try
                {
                    _agent = await Api.GetAgentAsync(Tenant, agent);
                    _agentError = null;
                }
                catch (AdminApiException exception)
                {
                    _agentError = exception;
                }
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

    private async Task ListThroughGatewayAsync(RouteInfo route)
    {
        try
        {
            _catalog = await Gateway.ListAsync(route, CancellationToken.None);
            _gatewayError = null;
        }
        catch (PlaygroundException exception)
        {
            _gatewayError = exception.Message;
            _tools = await Api.GetRouteToolsAsync(Tenant, Route);
        }
    }

    private async Task DeleteAsync()
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete route", $"Delete '{Route}'? Its endpoint stops answering at once.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        try
        {
            await Api.DeleteRouteAsync(Tenant, Route);
            Snackbar.Add($"Deleted route '{Route}'.", Severity.Success);
            Navigation.NavigateTo($"tenants/{Tenant}/routes");
        }
        catch (AdminApiException exception)
        {
            _error = exception;
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
        if (_route?.Endpoint is { } endpoint)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", endpoint);
        }
    }
}
