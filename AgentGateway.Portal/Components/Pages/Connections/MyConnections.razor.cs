using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Connections;

/// <summary>
/// The signed-in user's authorizations of servers that act as them (backend-auth policies with userOauth): those they
/// made, with disconnect; those their tenants offer; and, when an MCP client sent them here, the one it asked for.
/// </summary>
public sealed partial class MyConnections
{
    private List<UserConnectionInfo>? _connections;
    private List<Connectable> _available = [];
    private AdminApiException? _error;
    private bool _loading = true;
    private bool _connecting;

    /// <summary>The tenant of the policy an MCP client's URL elicitation names.</summary>
    [SupplyParameterFromQuery(Name = "tenant")]
    public string? Tenant { get; set; }

    [SupplyParameterFromQuery(Name = "policy")]
    public string? Policy { get; set; }

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _error = await AdminApiCalls.TryAsync(async () =>
        {
            _connections = await Api.GetMyConnectionsAsync();
            var me = await Api.GetMeAsync();
            var available = new List<Connectable>();
            foreach (var tenant in me.Tenants)
            {
                foreach (var policy in await Api.GetPoliciesAsync(tenant.Name))
                {
                    if (policy.Kind == "backend-auth" && policy.Spec.ContainsKey("userOauth"))
                    {
                        available.Add(new Connectable(tenant.Name, policy.Name, $"{policy.TargetRef.Kind} {policy.TargetRef.Name}".Trim()));
                    }
                }
            }

            _available = available;
        });
        _loading = false;
    }

    private bool IsConnected(string tenant, string policy) =>
        _connections?.Any(connection => connection.Tenant == tenant && connection.Policy == policy) == true;

    private async Task ConnectAsync(string tenant, string policy)
    {
        _connecting = true;
        try
        {
            var url = await Api.AuthorizeConnectionAsync(tenant, policy);
            Navigation.NavigateTo(url.AbsoluteUri, forceLoad: true);
        }
        catch (AdminApiException exception)
        {
            _error = exception;
            _connecting = false;
        }
    }

    private async Task DisconnectAsync(UserConnectionInfo connection)
    {
        if (await Dialogs.ConfirmAsync("Disconnect", $"Take back your authorization of {connection.Policy} (tenant {connection.Tenant})? Its tokens are revoked and forgotten.", "Disconnect"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.DisconnectAsync(connection.Tenant, connection.Policy);
                Snackbar.Add($"Disconnected {connection.Policy}.", Severity.Success);
                _connections = await Api.GetMyConnectionsAsync();
            });
        }
    }

    private sealed record Connectable(string Tenant, string Policy, string Target);
}
