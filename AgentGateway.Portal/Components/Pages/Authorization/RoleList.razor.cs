using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Authorization;

public sealed partial class RoleList
{
    private readonly List<RuleRow> _rules = [new()];
    private List<RoleInfo>? _roles;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private string? _role;
    private RoleInfo? _editing;
    private string _name = string.Empty;
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
            _canWrite = me.Allows(Tenant, TenantRoles.Admin);
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

    private async Task LoadAsync() => _roles = await Api.GetRolesAsync(Tenant);

    private void StartEdit(RoleInfo role)
    {
        _editing = role;
        _name = role.Name;
        _description = role.Description;
        _rules.Clear();
        _rules.AddRange(role.Rules.Select(rule => new RuleRow { Expression = rule }));
        _formError = null;
    }

    private void ResetForm()
    {
        _editing = null;
        _name = string.Empty;
        _description = null;
        _rules.Clear();
        _rules.Add(new RuleRow());
        _formError = null;
    }

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var description = string.IsNullOrWhiteSpace(_description) ? null : _description.Trim();

            // Positions in AdminApi's errors (rules[1]) count the rules sent, so every row is sent as it stands.
            var rules = _rules.Select(rule => rule.Expression.Trim()).ToList();
            if (_editing is null)
            {
                await Api.CreateRoleAsync(Tenant, new NewRole(_name.Trim(), description, rules));
                Snackbar.Add($"Created role '{_name.Trim()}'.", Severity.Success);
            }
            else
            {
                await Api.UpdateRoleAsync(Tenant, _editing.Name, new RoleUpdate(description, rules), _editing.Version);
                Snackbar.Add($"Saved role '{_editing.Name}'; the routes its bindings cover are pushed to proxies.", Severity.Success);
            }

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

    private async Task DeleteAsync(RoleInfo role)
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete role", $"Delete '{role.Name}'?", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        try
        {
            await Api.DeleteRoleAsync(Tenant, role.Name);
            Snackbar.Add($"Deleted role '{role.Name}'.", Severity.Success);
            _error = null;
            if (_editing?.Name == role.Name)
            {
                ResetForm();
            }

            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private sealed class RuleRow
    {
        public string Expression { get; set; } = string.Empty;
    }
}
