using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Agents;

/// <summary>The tenant's agent catalog: each agent with its card's skills, registered and deleted here.</summary>
public sealed partial class AgentList
{
    private List<AgentInfo>? _agents;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private string? _role;
    private string _name = string.Empty;
    private string _url = string.Empty;
    private string? _cardUrl;
    private string? _description;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

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

    private async Task LoadAsync() => _agents = await Api.GetAgentsAsync(Tenant);

    private async Task RegisterAsync()
    {
        _saving = true;
        try
        {
            var agent = await Api.CreateAgentAsync(Tenant, new NewAgent(_name.Trim(), _url.Trim(), Optional(_cardUrl), Optional(_description)));
            Snackbar.Add($"Registered '{agent.Name}'{(agent.Card is { } card ? $": {card.Name}, {card.Skills.Count} skill(s)" : string.Empty)}.", Severity.Success);
            Navigation.NavigateTo($"tenants/{Tenant}/agents/{agent.Name}");
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

    private async Task DeleteAsync(AgentInfo agent)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete agent", $"Delete '{agent.Name}'? Routes that expose it must be deleted first.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        try
        {
            await Api.DeleteAgentAsync(Tenant, agent.Name);
            Snackbar.Add($"Deleted '{agent.Name}'.", Severity.Success);
            _error = null;
            await LoadAsync();
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    internal static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
