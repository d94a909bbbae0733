using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Agents;

/// <summary>An agent of the catalog: its card's skills and capabilities, the last card error, refresh, change and delete.</summary>
public sealed partial class AgentDetail
{
    private AgentInfo? _agent;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private bool _canWrite;
    private bool _busy;
    private string _url = string.Empty;
    private string? _cardUrl;
    private string? _description;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Parameter]
    public string Agent { get; set; } = string.Empty;

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
        _error = null;
        try
        {
            _canWrite = (await Api.GetMeAsync()).Allows(Tenant, TenantRoles.Developer);
            Show(await Api.GetAgentAsync(Tenant, Agent));
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }

    private void Show(AgentInfo agent)
    {
        _agent = agent;
        (_url, _cardUrl, _description) = (agent.Url, agent.CardUrl, agent.Description);
    }

    private async Task RefreshAsync()
    {
        _busy = true;
        try
        {
            var agent = await Api.RefreshAgentAsync(Tenant, Agent);
            Show(agent);
            _error = null;
            Snackbar.Add(agent.CardError is null ? "Fetched the card again." : "The card could not be fetched; the last good card is kept.", agent.CardError is null ? Severity.Success : Severity.Warning);
        }
        catch (AdminApiException exception)
        {
            // The refusal may carry the card's error; the agent as stored now says what is kept.
            _error = exception;
            try
            {
                Show(await Api.GetAgentAsync(Tenant, Agent));
            }
            catch (AdminApiException)
            {
                // The first refusal already says what went wrong.
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task SaveAsync()
    {
        if (_agent is null)
        {
            return;
        }

        _busy = true;
        try
        {
            Show(await Api.UpdateAgentAsync(Tenant, Agent, new AgentUpdate(_url.Trim(), AgentList.Optional(_cardUrl), AgentList.Optional(_description)), _agent.Version));
            _formError = null;
            Snackbar.Add($"Saved '{Agent}'; routes that expose it are updated within moments.", Severity.Success);
        }
        catch (AdminApiException exception)
        {
            _formError = exception;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync()
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete agent", $"Delete '{Agent}'? Routes that expose it must be deleted first.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        try
        {
            await Api.DeleteAgentAsync(Tenant, Agent);
            Snackbar.Add($"Deleted '{Agent}'.", Severity.Success);
            Navigation.NavigateTo($"tenants/{Tenant}/agents");
        }
        catch (AdminApiException exception)
        {
            _error = exception;
        }
    }
}
