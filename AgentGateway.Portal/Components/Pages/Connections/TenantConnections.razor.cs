using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Connections;

/// <summary>A tenant's users' authorizations of its servers, for its admins to see and take back.</summary>
public sealed partial class TenantConnections
{
    private List<UserConnectionInfo>? _connections;
    private AdminApiException? _error;
    private bool _loading = true;

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
        _error = await AdminApiCalls.TryAsync(async () => _connections = await Api.GetTenantConnectionsAsync(Tenant));
        _loading = false;
    }

    private async Task RemoveAsync(UserConnectionInfo connection)
    {
        if (await Dialogs.ConfirmAsync("Remove connection", $"Take back {connection.Username}'s authorization of {connection.Policy}? They are asked to authorize again on their next call.", "Remove"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.RemoveTenantConnectionAsync(Tenant, connection.Id);
                Snackbar.Add($"Removed the connection of {connection.Username}.", Severity.Success);
                _connections = await Api.GetTenantConnectionsAsync(Tenant);
            });
        }
    }
}
