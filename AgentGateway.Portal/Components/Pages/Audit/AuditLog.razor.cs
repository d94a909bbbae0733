using AgentGateway.Portal.Components.Shared;
using AgentGateway.Portal.Services;
using Microsoft.AspNetCore.Components;

namespace AgentGateway.Portal.Components.Pages.Audit;

/// <summary>The tenant's audit log, searchable by who, resource type and name, action and time, each change as a diff of its values.</summary>
public sealed partial class AuditLog
{
    private const int PageSize = 50;

    private static readonly string[] s_types =
    [
        "agent", "api-key", "host-claim", "llm-provider", "mcp-server", "member", "policy", "role", "role-binding", "route", "secret", "tenant", "tool-pin",
    ];

    private static readonly string[] s_actions = ["created", "updated", "deleted"];

    private readonly NewestFirstPages<AuditEntryInfo> _entries = new(PageSize, entry => entry.OccurredAt, loading: true);
    private readonly HashSet<Guid> _open = [];
    private AuditFilter _filter = new();
    private AdminApiException? _error;
    private string? _actor;
    private string? _type;
    private string? _resource;
    private string? _action;
    private string? _from;
    private string? _to;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    protected override Task OnParametersSetAsync() => SearchAsync();

    private async Task SearchAsync()
    {
        _filter = new AuditFilter(_actor, _type, _resource, _action, UtcTime.Parse(_from), UtcTime.Parse(_to));
        _entries.Clear();
        _open.Clear();
        _error = null;
        await LoadOlderAsync();
    }

    private async Task LoadOlderAsync() =>
        _error = await _entries.LoadOlderAsync((before, limit) => Api.GetAuditAsync(Tenant, _filter, before, limit)) ?? _error;

    private void Toggle(Guid id)
    {
        if (!_open.Remove(id))
        {
            _open.Add(id);
        }
    }
}
