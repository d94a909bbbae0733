using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Routes;

public sealed partial class ToolPinsPanel
{
    private readonly HashSet<(string Target, string Tool)> _open = [];
    private readonly HashSet<(string Target, string Tool)> _closed = [];
    private List<ToolPinInfo>? _pins;
    private AdminApiException? _error;
    private bool _loading = true;

    /// <summary>How many times the pins were read; the page shows it, so a reader can tell a refresh has landed.</summary>
    private int _loads;

    [Parameter, EditorRequired]
    public string Tenant { get; set; } = string.Empty;

    [Parameter, EditorRequired]
    public string Route { get; set; } = string.Empty;

    /// <summary>Whether the caller may approve and forget pins (tenant admins and above).</summary>
    [Parameter]
    public bool CanApprove { get; set; }

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private string Summary => _pins is null
        ? "Loading the route's tool pins…"
        : $"{_pins.Count} tool{(_pins.Count == 1 ? string.Empty : "s")} pinned; {_pins.Count(pin => pin.Status == "pending")} waiting for a tenant admin's approval.";

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            _pins = await Api.GetToolPinsAsync(Tenant, Route);
            _error = null;
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
        finally
        {
            _loading = false;
            _loads++;
        }
    }

    /// <summary>Pending pins start open, to compare at a glance; any pin opens and closes on request.</summary>
    private bool IsOpen(ToolPinInfo pin) =>
        _open.Contains((pin.Target, pin.Tool)) || (pin.Status == "pending" && !_closed.Contains((pin.Target, pin.Tool)));

    private void Toggle(ToolPinInfo pin)
    {
        var key = (pin.Target, pin.Tool);
        if (IsOpen(pin))
        {
            _open.Remove(key);
            _closed.Add(key);
        }
        else
        {
            _closed.Remove(key);
            _open.Add(key);
        }
    }

    private async Task ApproveAsync(ToolPinInfo pin)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Approve tool definition",
            $"Approve the pending definition of '{pin.Tool}' (target {pin.Target})? Proxies then list it and let clients of the route call it.",
            yesText: "Approve",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        await RunAsync(() => Api.ApproveToolPinAsync(Tenant, Route, pin), $"Approved '{pin.Tool}'; proxies serve it within moments.");
    }

    private async Task ForgetAsync(ToolPinInfo pin)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Forget tool pin",
            $"Forget the pin of '{pin.Tool}' (target {pin.Target})? Its next sight is a first sight again: a definition without findings is then trusted as it is.",
            yesText: "Forget",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        await RunAsync(() => Api.ForgetToolPinAsync(Tenant, Route, pin), $"Forgot the pin of '{pin.Tool}'.");
    }

    private async Task RunAsync(Func<Task> action, string done)
    {
        try
        {
            await action();
            Snackbar.Add(done, Severity.Success);
            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }
}
