using System.Globalization;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AgentGateway.Portal.Components.Pages.Egress;

public sealed partial class EgressAllowlist
{
    private List<EgressAllowRuleInfo>? _rules;
    private AdminApiException? _error;
    private AdminApiException? _formError;
    private string? _portsProblem;
    private bool _loading = true;
    private bool _saving;
    private bool _canWrite;
    private bool _byHost;
    private string? _cidr;
    private string? _host;
    private string? _ports;
    private string? _description;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    private string? PortsError => _portsProblem ?? _formError?.ErrorFor("ports");

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _canWrite = (await Api.GetMeAsync()).IsPlatformAdmin;
            _rules = await Api.GetEgressAllowRulesAsync();
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

    /// <summary>The ports in <paramref name="text"/>; null when one is not a number.</summary>
    internal static List<int>? ParsePorts(string? text)
    {
        var ports = new List<int>();
        foreach (var item in TextLists.Split(text))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                return null;
            }

            ports.Add(port);
        }

        return ports;
    }

    private async Task AddAsync()
    {
        if (ParsePorts(_ports) is not { } ports)
        {
            _portsProblem = "must be port numbers separated by commas, e.g. 443, 8443.";
            return;
        }

        _portsProblem = null;
        _saving = true;
        try
        {
            var rule = _byHost
                ? new NewEgressAllowRule(null, _host?.Trim(), ports, Description())
                : new NewEgressAllowRule(_cidr?.Trim(), null, ports, Description());
            var added = await Api.CreateEgressAllowRuleAsync(rule);
            Snackbar.Add($"Allowed {added.Cidr ?? added.Host}; proxies apply it within moments.", Severity.Success);
            (_cidr, _host, _ports, _description, _formError, _error) = (null, null, null, null, null, null);
            _rules = await Api.GetEgressAllowRulesAsync();
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

    private async Task DeleteAsync(EgressAllowRuleInfo rule)
    {
        var what = rule.Cidr ?? rule.Host;
        if (await Dialogs.ConfirmAsync("Remove exception", $"Stop allowing {what}? Tenant URLs and proxy connections that need it are refused from then on.", "Remove"))
        {
            _error = await AdminApiCalls.TryAsync(async () =>
            {
                await Api.DeleteEgressAllowRuleAsync(rule.Id);
                Snackbar.Add($"No longer allowing {what}.", Severity.Success);
                _rules = await Api.GetEgressAllowRulesAsync();
            });
        }
    }

    private string? Description() => string.IsNullOrWhiteSpace(_description) ? null : _description.Trim();
}
