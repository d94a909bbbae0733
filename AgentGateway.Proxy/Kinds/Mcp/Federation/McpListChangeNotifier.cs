using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Protocols;
using Microsoft.Extensions.Primitives;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>
/// When a config change alters an MCP route's backend (targets added, removed or changed, naming changed, tool pins
/// approved) or its authorization rules, tells the
/// route's sessions that have a GET stream open on this replica that their tools, prompts and resources changed.
/// </summary>
internal sealed partial class McpListChangeNotifier(SnapshotStore snapshots, LocalSessions sessions, ILogger<McpListChangeNotifier> logger) : IHostedService, IDisposable
{
    private IDisposable? _subscription;
    private Dictionary<string, (McpBackend Backend, McpAuthorization? Authorization)> _backends = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _backends = Backends(snapshots.Current);
        _subscription = ChangeToken.OnChange(snapshots.GetChangeToken, OnSnapshotChanged);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _subscription?.Dispose();

    private void OnSnapshotChanged()
    {
        var next = Backends(snapshots.Current);
        var changed = next.Where(pair => !_backends.TryGetValue(pair.Key, out var previous)
                || !previous.Backend.Equals(pair.Value.Backend) || !Equals(previous.Authorization, pair.Value.Authorization))
            .Select(pair => pair.Key)
            .ToHashSet(StringComparer.Ordinal);
        _backends = next;
        if (changed.Count == 0)
        {
            return;
        }

        var notified = 0;
        foreach (var session in sessions.All)
        {
            if (session.HasListeners && changed.Contains(session.Route))
            {
                session.Notify(JsonRpc.Notification(NotificationMethods.ToolListChangedNotification));
                session.Notify(JsonRpc.Notification(NotificationMethods.PromptListChangedNotification));
                session.Notify(JsonRpc.Notification(NotificationMethods.ResourceListChangedNotification));
                notified++;
            }
        }

        LogNotified(logger, changed.Count, notified);
    }

    /// <summary>What decides a route's lists: its backend (targets, naming, tool pins) and its authorization rules.</summary>
    private static Dictionary<string, (McpBackend Backend, McpAuthorization? Authorization)> Backends(GatewaySnapshot? snapshot) =>
        snapshot?.Routes
            .Where(route => route.BackendCase == Route.BackendOneofCase.Mcp)
            .ToDictionary(route => $"{route.Tenant}/{route.Name}", route => (route.Mcp, route.Policies?.McpAuthorization), StringComparer.Ordinal) ?? [];

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RouteCount} MCP routes changed; told {SessionCount} open streams their lists changed")]
    private static partial void LogNotified(ILogger logger, int routeCount, int sessionCount);
}
