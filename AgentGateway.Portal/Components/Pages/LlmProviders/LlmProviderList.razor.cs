using AgentGateway.Portal.Components.Pages.Policies;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.LlmProviders;

/// <summary>The tenant's LLM provider catalog: each provider with its API key policy and the routes that use it.</summary>
public sealed partial class LlmProviderList
{
    private readonly LlmProviderForm _form = new();
    private List<LlmProviderInfo>? _providers;
    private List<PolicyInfo> _policies = [];
    private List<string> _secrets = [];
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private bool _canAttachKeys;
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
            _canWrite = me.Allows(Tenant, TenantRoles.Developer);
            // Policies (and so a provider's key) are for tenant admins.
            _canAttachKeys = me.Allows(Tenant, TenantRoles.Admin);
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

    private async Task LoadAsync()
    {
        _providers = await Api.GetLlmProvidersAsync(Tenant);
        _policies = await Api.GetPoliciesAsync(Tenant);
        if (_canAttachKeys)
        {
            _secrets = [.. (await Api.GetSecretsAsync(Tenant)).Select(secret => secret.Name)];
        }
    }

    private PolicyInfo? KeyPolicyOf(string provider) => _policies.FirstOrDefault(policy =>
        policy.Kind == PolicyKindCatalog.BackendAuth && policy.TargetRef.Kind == PolicyKindCatalog.LlmProviderTarget && policy.TargetRef.Name == provider);

    private void SetKind(string kind) => _form.Kind = kind;

    private static string KeyLabel(string kind) => kind switch
    {
        LlmProviderKinds.Bedrock => "Access key id (a secret of the tenant)",
        LlmProviderKinds.VertexAi => "Service account key (a secret of the tenant, JSON)",
        _ => "API key (a secret of the tenant)",
    };

    private static string KeyHelp(string kind) => kind switch
    {
        LlmProviderKinds.Bedrock => "With the secret access key, attaches a backend-auth policy that signs requests with AWS SigV4 (service bedrock)",
        LlmProviderKinds.VertexAi => "Attaches a backend-auth policy with Google access tokens of this service account; empty: of the proxy's machine (its metadata server)",
        _ => $"Attaches a backend-auth policy that sends it as {LlmProviderForm.KeyHeader(kind)}; leave empty for none",
    };

    private async Task RegisterAsync()
    {
        if (_form.Problem() is { } problem)
        {
            Snackbar.Add(problem, Severity.Error);
            return;
        }

        _saving = true;
        try
        {
            var provider = await Api.CreateLlmProviderAsync(Tenant, _form.ToNewProvider());
            _formError = null;
            if (_form.KeyPolicy(provider.Name) is { } policy)
            {
                try
                {
                    await Api.CreatePolicyAsync(Tenant, policy);
                }
                catch (AdminApiException exception)
                {
                    // The provider stands; its key can be attached on the policies page.
                    _error = exception;
                }
            }

            Snackbar.Add($"Registered '{provider.Name}'.", Severity.Success);
            _form.Reset();
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

    private async Task SetNativeResponsesAsync(LlmProviderInfo provider, bool native)
    {
        try
        {
            await Api.UpdateLlmProviderAsync(Tenant, provider.Name, LlmProviderUpdate.Of(provider) with { NativeResponses = native }, provider.Version);
            Snackbar.Add(native ? $"'{provider.Name}' now serves the Responses API itself." : $"The gateway now serves '{provider.Name}''s Responses API on its Chat Completions.", Severity.Success);
            _error = null;
            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private async Task DeleteAsync(LlmProviderInfo provider)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete LLM provider",
            $"Delete '{provider.Name}'? Routes that serve from it, and the policies attached to it, must go first.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Api.DeleteLlmProviderAsync(Tenant, provider.Name);
            Snackbar.Add($"Deleted '{provider.Name}'.", Severity.Success);
            _error = null;
            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }
}
