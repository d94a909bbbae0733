using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;

namespace AgentGateway.Portal.Components.Pages.Connections;

/// <summary>
/// Where an authorization server sends the user back: the code and state go to AdminApi, which completes the
/// authorization only for the user who started it. Sent once, after the page is interactive (the code works once).
/// </summary>
public sealed partial class ConnectionCallback
{
    private UserConnectionInfo? _connection;
    private AdminApiException? _error;
    private string? _refused;

    /// <summary>The tenant and policy of the page's own redirect URI (the state says which authorization it is).</summary>
    [Parameter]
    public string? Tenant { get; set; }

    [Parameter]
    public string? Policy { get; set; }

    [SupplyParameterFromQuery(Name = "code")]
    public string? Code { get; set; }

    [SupplyParameterFromQuery(Name = "state")]
    public string? State { get; set; }

    [SupplyParameterFromQuery(Name = "error")]
    public string? Error { get; set; }

    [SupplyParameterFromQuery(Name = "error_description")]
    public string? ErrorDescription { get; set; }

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        if (Error is not null || string.IsNullOrEmpty(Code) || string.IsNullOrEmpty(State))
        {
            _refused = Error is null ? "the answer carries no code." : $"{Error}{(ErrorDescription is null ? string.Empty : ": " + ErrorDescription)}";
        }
        else
        {
            _error = await Components.Shared.AdminApiCalls.TryAsync(async () => _connection = await Api.CompleteConnectionAsync(Code, State));
        }

        StateHasChanged();
    }
}
