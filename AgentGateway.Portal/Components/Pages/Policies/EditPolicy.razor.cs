using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Policies.Forms;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Policies;

/// <summary>
/// Creates or edits a policy: its kind, what it attaches to, and its spec — in a form for the common kinds, or as
/// JSON for every kind. AdminApi's errors appear next to the field they name, or under the JSON editor.
/// </summary>
public sealed partial class EditPolicy
{
    private List<RouteInfo> _routes = [];
    private List<string> _servers = [];
    private List<string> _agents = [];
    private List<string> _llmProviders = [];
    private List<string> _secrets = [];
    private AdminApiException? _loadError;
    private AdminApiException? _error;
    private string? _specError;
    private bool _loaded;
    private bool _saving;
    private bool _canWrite;
    private string? _role;
    private string? _version;
    private string _name = string.Empty;
    private string? _description;
    private string _kind = PolicyKindCatalog.JwtAuth;
    private string _targetKind = PolicyKindCatalog.Tenant;
    private string? _targetName;
    private PolicySpecModel? _model;
    private string _json = "{}";
    private bool _asJson;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    /// <summary>The policy's name; null on the page that creates one.</summary>
    [Parameter]
    public string? Policy { get; set; }

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private const string JsonHelp = "proto3 JSON with camelCase names; secrets only as {\"secretRef\": \"name\"}";

    private bool IsNew => Policy is null;

    private PolicyKindInfo? Kind => PolicyKindCatalog.Find(_kind);

    /// <summary>The kind's summary, and the route kinds it acts on when that is not all of them.</summary>
    private string? KindHelp => Kind is not { } kind ? null
        : kind.RouteKinds.Count == 4 ? kind.Summary : $"{kind.Summary} Acts on {string.Join(", ", kind.RouteKinds)} routes only.";

    private IReadOnlyList<string> TargetNames => _targetKind switch
    {
        // Only the routes the kind acts on: on the others it would change nothing, and AdminApi refuses it.
        PolicyKindCatalog.Route => [.. _routes.Where(route => Kind?.AppliesTo(route.Kind) != false || route.Name == _targetName).Select(route => route.Name)],
        PolicyKindCatalog.AgentTarget => _agents,
        PolicyKindCatalog.LlmProviderTarget => _llmProviders,
        _ => _servers,
    };

    private IReadOnlyList<KeyValuePair<string, string[]>> SpecErrors => _error?.ErrorsUnder("spec").ToList() ?? [];

    protected override async Task OnParametersSetAsync()
    {
        _loaded = false;
        _loadError = null;
        _error = null;
        _specError = null;
        try
        {
            var me = await Api.GetMeAsync();
            _role = me.RoleIn(Tenant);
            _canWrite = me.Allows(Tenant, TenantRoles.Admin);
            _routes = await Api.GetRoutesAsync(Tenant);
            _servers = [.. (await Api.GetMcpServersAsync(Tenant)).Where(server => server.Transport != "stdio").Select(server => server.Name)];
            _secrets = [.. (await Api.GetSecretsAsync(Tenant)).Select(secret => secret.Name)];
            _agents = await CatalogNamesAsync(async () => (await Api.GetAgentsAsync(Tenant)).Select(agent => agent.Name));
            _llmProviders = await CatalogNamesAsync(async () => (await Api.GetLlmProvidersAsync(Tenant)).Select(provider => provider.Name));
            if (Policy is null)
            {
                _version = null;
                _name = string.Empty;
                _description = null;
                SetKind(PolicyKindCatalog.JwtAuth);
            }
            else
            {
                var policy = await Api.GetPolicyAsync(Tenant, Policy);
                _version = policy.Version;
                _name = policy.Name;
                _description = policy.Description;
                _kind = policy.Kind;
                _targetKind = policy.TargetRef.Kind;
                _targetName = policy.TargetRef.Kind == PolicyKindCatalog.Tenant ? null : policy.TargetRef.Name;
                LoadSpec(policy.Spec);
            }

            _loaded = true;
        }
        catch (AdminApiException exception)
        {
            _loadError = exception;
        }
    }

    /// <summary>The names of a catalog (agents, LLM providers); none when AdminApi cannot list them (the other targets stay usable).</summary>
    private static async Task<List<string>> CatalogNamesAsync(Func<Task<IEnumerable<string>>> names)
    {
        try
        {
            return [.. await names()];
        }
        catch (AdminApiException)
        {
            return [];
        }
    }

    private void SetKind(string kind)
    {
        _kind = kind;
        if (Kind is { } info && !info.Targets.Contains(_targetKind))
        {
            SetTargetKind(PolicyKindCatalog.Tenant);
        }

        UseExample();
    }

    private void SetTargetKind(string targetKind)
    {
        _targetKind = targetKind;
        _targetName = TargetNames.FirstOrDefault();
    }

    /// <summary>Starts the spec over from the kind's example.</summary>
    private void UseExample()
    {
        LoadSpec(PolicyKindCatalog.Example(_kind, _secrets));
        _error = null;
    }

    private void LoadSpec(JsonObject spec)
    {
        _model = PolicySpecModel.For(_kind, spec);
        _json = spec.ToJsonString(JsonEditor.Indented);
        _asJson = _model is null;
        _specError = null;
    }

    private void ShowJson()
    {
        if (!_asJson && _model is not null)
        {
            _json = _model.Write().ToJsonString(JsonEditor.Indented);
        }

        _asJson = true;
        _specError = null;
    }

    private void ShowForm()
    {
        if (!_asJson)
        {
            return;
        }

        if (JsonEditor.SyntaxError(_json, requireObject: true) is { } problem)
        {
            _specError = $"The JSON cannot be shown as a form until it is valid: {problem}.";
            return;
        }

        _model = PolicySpecModel.For(_kind, (JsonObject)JsonNode.Parse(_json)!);
        _asJson = _model is null;
        _specError = null;
    }

    /// <summary>The spec as it stands in the form or the editor; null (with the reason shown) when the JSON is not an object.</summary>
    private JsonObject? CurrentSpec()
    {
        if (!_asJson && _model is not null)
        {
            return _model.Write();
        }

        if (JsonEditor.SyntaxError(_json, requireObject: true) is { } problem)
        {
            _specError = $"The spec is not valid JSON: {problem}.";
            return null;
        }

        return (JsonObject)JsonNode.Parse(_json)!;
    }

    private async Task SaveAsync()
    {
        if (CurrentSpec() is not { } spec)
        {
            return;
        }

        _saving = true;
        _specError = null;
        try
        {
            var target = new PolicyTarget(_targetKind, _targetKind == PolicyKindCatalog.Tenant ? null : _targetName);
            var description = string.IsNullOrWhiteSpace(_description) ? null : _description.Trim();
            if (Policy is null)
            {
                var created = await Api.CreatePolicyAsync(Tenant, new NewPolicy(_name.Trim(), _kind, description, target, spec));
                Snackbar.Add($"Created policy '{created.Name}'; proxies apply it within moments.", Severity.Success);
            }
            else
            {
                await Api.UpdatePolicyAsync(Tenant, Policy, new PolicyUpdate(_kind, description, target, spec), _version!);
                Snackbar.Add($"Saved policy '{Policy}'; proxies apply it within moments.", Severity.Success);
            }

            Navigation.NavigateTo($"tenants/{Tenant}/policies");
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task DeleteAsync()
    {
        if (Policy is null || await Dialogs.ShowMessageBoxAsync("Delete policy", $"Delete '{Policy}'? What it enforces stops at once.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        try
        {
            await Api.DeletePolicyAsync(Tenant, Policy);
            Snackbar.Add($"Deleted policy '{Policy}'.", Severity.Success);
            Navigation.NavigateTo($"tenants/{Tenant}/policies");
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }
}
