using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Hosts;

public sealed partial class PlatformHosts
{
    private List<HostClaimInfo>? _hosts;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private string? _host;
    private string? _tenant;
    private bool _granted;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _error = await AdminApiCalls.TryAsync(async () => _hosts = await Api.GetHostsAsync());
        _loading = false;
    }

    private async Task AssignAsync()
    {
        _saving = true;
        try
        {
            var assigned = await Api.AssignHostAsync(_host?.Trim() ?? string.Empty, _tenant?.Trim() ?? string.Empty, _granted);
            Snackbar.Add($"{assigned.Host} belongs to {assigned.Tenant}{(assigned.Granted ? ", every path of it" : string.Empty)}; proxies apply it within moments.", Severity.Success);
            (_host, _tenant, _granted, _formError, _error) = (null, null, false, null, null);
            _hosts = await Api.GetHostsAsync();
        }
        catch (AdminApiException exception)
        {
            _formError = exception;
        }
        finally
        {
            _saving = false;
        }
    }

    /// <summary>Grants a host to its holder, or takes the grant back (AdminApi refuses while a route needs it).</summary>
    private async Task EditAsync(HostClaimInfo claim) => _error = await AdminApiCalls.TryAsync(async () =>
    {
        await Api.AssignHostAsync(claim.Host, claim.Tenant!, !claim.Granted);
        Snackbar.Add(claim.Granted ? $"{claim.Tenant}'s routes on {claim.Host} stay under /{claim.Tenant}/ again." : $"{claim.Tenant} now holds every path of {claim.Host}.", Severity.Success);
        _hosts = await Api.GetHostsAsync();
    });

    private async Task ReleaseAsync(HostClaimInfo claim)
    {
        if (await Dialogs.ConfirmAsync("Release host", $"Take {claim.Host} from {claim.Tenant}? Any tenant may claim it from then on.", "Release"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.ReleaseHostAsync(claim.Host);
                Snackbar.Add($"Released {claim.Host}.", Severity.Success);
                _hosts = await Api.GetHostsAsync();
            });
        }
    }
}
