using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Authorization;

public sealed partial class RoleBindingList
{
    private static readonly string[] s_subjectKinds = ["user", "group", "role", "claim", "api-key", "expression"];

    private readonly List<SubjectRow> _subjects = [new()];
    private readonly HashSet<string> _selectedRoutes = new(StringComparer.Ordinal);
    private List<RoleBindingInfo>? _bindings;
    private List<string> _roles = [];
    private List<string> _routes = [];
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private string? _role;
    private RoleBindingInfo? _editing;
    private string _name = string.Empty;
    private string? _description;
    private string? _roleName;

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
            _roles = [.. (await Api.GetRolesAsync(Tenant)).Select(role => role.Name)];
            _routes = [.. (await Api.GetRoutesAsync(Tenant)).Select(route => route.Name)];
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

    /// <summary>"group developers", "claim org.department = sales", "expression …".</summary>
    internal static string Describe(BindingSubject subject) =>
        subject.Kind == "claim" ? $"claim {subject.Claim} = {subject.Value}" : $"{subject.Kind} {subject.Value}";

    private static string ValueLabel(string kind) => kind switch
    {
        "user" => "User name or subject",
        "group" => "Group",
        "role" => "Realm role",
        "api-key" => "API key name",
        "expression" => "CEL expression",
        _ => "Value",
    };

    private static string ValueHelp(string kind) => kind switch
    {
        "user" => "Matches jwt.sub or jwt.preferred_username",
        "group" => "Matches when jwt.groups contains it",
        "role" => "Matches when jwt.realm_access.roles contains it",
        "claim" => "Equals the claim, or is contained in it when it is a list",
        "api-key" => "Matches apiKey.name",
        "expression" => "Matches when it holds, e.g. jwt.email.endsWith(\"@example.com\")",
        _ => string.Empty,
    };

    /// <summary>The errors of a subject's value, and those of the subject as a whole (e.g. an expression that does not combine with the role's rules).</summary>
    private string? ValueError(int index) =>
        _formError?.ErrorFor($"subjects[{index}].value") ?? _formError?.ErrorFor($"subjects[{index}]");

    private async Task LoadAsync() => _bindings = await Api.GetRoleBindingsAsync(Tenant);

    private void ToggleRoute(string route, bool selected)
    {
        if (selected)
        {
            _selectedRoutes.Add(route);
        }
        else
        {
            _selectedRoutes.Remove(route);
        }
    }

    private void StartEdit(RoleBindingInfo binding)
    {
        _editing = binding;
        _name = binding.Name;
        _description = binding.Description;
        _roleName = binding.Role;
        _subjects.Clear();
        _subjects.AddRange(binding.Subjects.Select(subject => new SubjectRow { Kind = subject.Kind, Value = subject.Value, Claim = subject.Claim }));
        _selectedRoutes.Clear();
        _selectedRoutes.UnionWith(binding.Routes);
        _formError = null;
    }

    private void ResetForm()
    {
        _editing = null;
        _name = string.Empty;
        _description = null;
        _roleName = null;
        _subjects.Clear();
        _subjects.Add(new SubjectRow());
        _selectedRoutes.Clear();
        _formError = null;
    }

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var description = string.IsNullOrWhiteSpace(_description) ? null : _description.Trim();
            var subjects = _subjects
                .Select(subject => new BindingSubject(subject.Kind, subject.Value.Trim(), subject.Kind == "claim" ? subject.Claim?.Trim() : null))
                .ToList();
            var routes = _routes.Where(_selectedRoutes.Contains).ToList();
            if (_editing is null)
            {
                await Api.CreateRoleBindingAsync(Tenant, new NewRoleBinding(_name.Trim(), description, _roleName ?? string.Empty, subjects, routes));
                Snackbar.Add($"Created role binding '{_name.Trim()}'.", Severity.Success);
            }
            else
            {
                await Api.UpdateRoleBindingAsync(Tenant, _editing.Name, new RoleBindingUpdate(description, _roleName ?? string.Empty, subjects, routes), _editing.Version);
                Snackbar.Add($"Saved role binding '{_editing.Name}'.", Severity.Success);
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

    private async Task DeleteAsync(RoleBindingInfo binding)
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete role binding", $"Delete '{binding.Name}'? Its subjects lose the role on its routes at once.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        try
        {
            await Api.DeleteRoleBindingAsync(Tenant, binding.Name);
            Snackbar.Add($"Deleted role binding '{binding.Name}'.", Severity.Success);
            _error = null;
            if (_editing?.Name == binding.Name)
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

    private sealed class SubjectRow
    {
        public string Kind { get; set; } = "user";

        public string Value { get; set; } = string.Empty;

        public string? Claim { get; set; }
    }
}
