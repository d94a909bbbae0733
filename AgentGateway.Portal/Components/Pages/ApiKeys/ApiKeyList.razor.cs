using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.ApiKeys;

public sealed partial class ApiKeyList
{
    private readonly HashSet<string> _selectedRoutes = new(StringComparer.Ordinal);
    private List<ApiKeyInfo>? _keys;
    private List<string> _routes = [];
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private string? _role;
    private ApiKeyInfo? _editing;
    private string _name = string.Empty;
    private string? _description;
    private DateTime? _validThrough;
    private string? _metadata;
    private KeyLlmForm _llm = new();

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private string ExpiryHelp => _editing?.ExpiresAt is { } expiry && _validThrough == ValidThrough(expiry)
        ? $"Expires at {Display.When(expiry)}; empty: never"
        : "The key stops working after this day; empty: never";

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        try
        {
            var me = await Api.GetMeAsync();
            _role = me.RoleIn(Tenant);
            _canWrite = me.Allows(Tenant, TenantRoles.Developer);
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

    /// <summary>The last day (UTC) a key that expires at <paramref name="expiresAt"/> works on.</summary>
    internal static DateTime ValidThrough(DateTimeOffset expiresAt) => expiresAt.UtcDateTime.AddTicks(-1).Date;

    /// <summary>When a key valid through <paramref name="day"/> (UTC, inclusive) expires: the start of the next day.</summary>
    internal static DateTimeOffset ExpiresAfter(DateTime day) => new(DateTime.SpecifyKind(day.Date.AddDays(1), DateTimeKind.Utc));

    private async Task LoadAsync() => _keys = await Api.GetApiKeysAsync(Tenant);

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

    private void StartEdit(ApiKeyInfo key)
    {
        _editing = key;
        _name = key.Name;
        _description = key.Description;
        _selectedRoutes.Clear();
        _selectedRoutes.UnionWith(key.Routes);
        _validThrough = key.ExpiresAt is { } expiry ? ValidThrough(expiry) : null;
        _metadata = TextLists.PairLines(key.Metadata);
        _llm = KeyLlmForm.From(key.Llm);
        _formError = null;
    }

    private void ResetForm()
    {
        _editing = null;
        _name = string.Empty;
        _description = null;
        _selectedRoutes.Clear();
        _validThrough = null;
        _metadata = null;
        _llm = new KeyLlmForm();
        _formError = null;
    }

    /// <summary>The expiry to send: unchanged when the day shown is still the key's own, else the end of the chosen day.</summary>
    private DateTimeOffset? Expiry() =>
        _validThrough is not { } day ? null
        : _editing?.ExpiresAt is { } current && ValidThrough(current) == day.Date ? current
        : ExpiresAfter(day);

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var description = string.IsNullOrWhiteSpace(_description) ? null : _description.Trim();
            var routes = _routes.Where(_selectedRoutes.Contains).ToList();
            var metadata = TextLists.Pairs(_metadata);
            if (_editing is null)
            {
                var created = await Api.CreateApiKeyAsync(Tenant, new NewApiKey(_name.Trim(), description, routes, metadata, Expiry(), _llm.ToLimits()));
                ResetForm();
                await LoadAsync();
                await ShowOnceAsync(created);
            }
            else
            {
                await Api.UpdateApiKeyAsync(Tenant, _editing.Name, new ApiKeyUpdate(description, routes, metadata, Expiry(), _llm.ToLimits()), _editing.Version);
                Snackbar.Add($"Saved '{_editing.Name}'.", Severity.Success);
                ResetForm();
                await LoadAsync();
            }

            _error = null;
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

    private async Task ShowOnceAsync(CreatedApiKey created)
    {
        var parameters = new DialogParameters<ApiKeyCreatedDialog>
        {
            { dialog => dialog.Key, created.Key },
            { dialog => dialog.Name, created.Name },
        };
        var options = new DialogOptions { BackdropClick = false, CloseOnEscapeKey = false, MaxWidth = MaxWidth.Small, FullWidth = true };
        var dialog = await Dialogs.ShowAsync<ApiKeyCreatedDialog>($"API key '{created.Name}' created", parameters, options);
        await dialog.Result;
    }

    private async Task RevokeAsync(ApiKeyInfo key)
    {
        if (await Dialogs.ShowMessageBoxAsync("Revoke API key", $"Revoke '{key.Name}'? It stops working at once and cannot be used again.", yesText: "Revoke", cancelText: "Cancel") != true)
        {
            return;
        }

        await RunAsync(key, () => Api.RevokeApiKeyAsync(Tenant, key.Name), $"Revoked '{key.Name}'.");
    }

    private async Task DeleteAsync(ApiKeyInfo key)
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete API key", $"Delete '{key.Name}'? It stops working at once and leaves the list.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        await RunAsync(key, () => Api.DeleteApiKeyAsync(Tenant, key.Name), $"Deleted '{key.Name}'.");
    }

    private async Task RunAsync(ApiKeyInfo key, Func<Task> action, string done)
    {
        try
        {
            await action();
            Snackbar.Add(done, Severity.Success);
            _error = null;
            if (_editing?.Name == key.Name)
            {
                // A revoked or deleted key can no longer be changed.
                ResetForm();
            }

            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private static Color StatusColor(string status) => status switch
    {
        "active" => Color.Success,
        "expired" => Color.Default,
        _ => Color.Error,
    };
}
