using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Secrets;

public sealed partial class SecretList
{
    private List<SecretInfo>? _secrets;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private string? _role;
    private bool _canWrite;
    private bool _replacing;
    private string _name = string.Empty;
    private string _value = string.Empty;
    private string? _description;

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
            _canWrite = me.Allows(Tenant, TenantRoles.Developer);
            await LoadAsync();
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

    private async Task LoadAsync() => _secrets = await Api.GetSecretsAsync(Tenant);

    private void StartReplace(SecretInfo secret)
    {
        _replacing = true;
        _name = secret.Name;
        _description = secret.Description;
        _value = string.Empty;
        _formError = null;
    }

    private void ResetForm()
    {
        _replacing = false;
        _name = string.Empty;
        _value = string.Empty;
        _description = null;
        _formError = null;
    }

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var name = _name.Trim();
            await Api.PutSecretAsync(Tenant, name, new SecretUpdate(_value, string.IsNullOrWhiteSpace(_description) ? null : _description.Trim()));
            Snackbar.Add(_replacing ? $"Replaced the value of '{name}'." : $"Created secret '{name}'.", Severity.Success);
            ResetForm();
            _error = null;
            await LoadAsync();
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

    private async Task DeleteAsync(SecretInfo secret)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete secret", $"Delete '{secret.Name}'? Its value is gone for good.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Api.DeleteSecretAsync(Tenant, secret.Name);
            Snackbar.Add($"Deleted '{secret.Name}'.", Severity.Success);
            _error = null;
            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }
}
