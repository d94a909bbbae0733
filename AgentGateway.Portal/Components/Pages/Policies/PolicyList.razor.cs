using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Policies;

public sealed partial class PolicyList
{
    private List<PolicyInfo>? _policies;
    private AdminApiException? _error;
    private bool _loading = true;
    private bool _canWrite;
    private string? _role;

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
        _loading = true;
        try
        {
            var me = await Api.GetMeAsync();
            _role = me.RoleIn(Tenant);
            _canWrite = me.Allows(Tenant, TenantRoles.Admin);
            _policies = await Api.GetPoliciesAsync(Tenant);
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

    private async Task DeleteAsync(PolicyInfo policy)
    {
        if (await Dialogs.ConfirmAsync("Delete policy", $"Delete '{policy.Name}'? What it enforces stops at once.", "Delete"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.DeletePolicyAsync(Tenant, policy.Name);
                Snackbar.Add($"Deleted policy '{policy.Name}'.", Severity.Success);
                _policies = await Api.GetPoliciesAsync(Tenant);
            });
        }
    }
}
