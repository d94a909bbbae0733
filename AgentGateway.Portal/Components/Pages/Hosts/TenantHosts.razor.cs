using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Hosts;

public sealed partial class TenantHosts
{
    private List<HostClaimInfo>? _hosts;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canClaim;
    private bool _canRelease;
    private string? _host;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _error = await AdminApiCalls.TryAsync(async () =>
        {
            var me = await Api.GetMeAsync();
            _canClaim = me.Allows(Tenant, TenantRoles.Developer);
            _canRelease = me.Allows(Tenant, TenantRoles.Admin);
            _hosts = await Api.GetTenantHostsAsync(Tenant);
        });
        _loading = false;
    }

    private async Task ClaimAsync()
    {
        _saving = true;
        try
        {
            var claimed = await Api.ClaimHostAsync(Tenant, _host?.Trim() ?? string.Empty);
            Snackbar.Add($"Tenant {Tenant} holds {claimed.Host}.", Severity.Success);
            (_host, _formError, _error) = (null, null, null);
            _hosts = await Api.GetTenantHostsAsync(Tenant);
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

    private async Task ReleaseAsync(HostClaimInfo claim)
    {
        if (await Dialogs.ConfirmAsync("Release host", $"Give up {claim.Host}? Another tenant may claim it from then on.", "Release"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.ReleaseTenantHostAsync(Tenant, claim.Host);
                Snackbar.Add($"Released {claim.Host}.", Severity.Success);
                _hosts = await Api.GetTenantHostsAsync(Tenant);
            });
        }
    }
}
