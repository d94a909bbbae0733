using System.Collections.Frozen;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Mcp.Sessions;
using AgentGateway.Proxy.Policies;
using AgentGateway.Proxy.Routing;

namespace AgentGateway.Proxy.Configuration;

/// <summary>
/// One immutable, validated version of everything the proxy serves. Built once per config change (from xDS or the
/// standalone file) and swapped in atomically; the request path only reads it.
/// </summary>
internal sealed class GatewaySnapshot
{
    private GatewaySnapshot(
        string version, IReadOnlyList<Route> routes, SessionKeyRing? sessionKeys, EgressPolicy? egress, FrozenDictionary<Route, RoutePolicyRuntime> policies)
    {
        Version = version;
        Routes = routes;
        Table = RouteTable.Create(routes);
        SessionKeys = sessionKeys;
        Egress = egress;
        _policies = policies;
    }

    private readonly FrozenDictionary<Route, RoutePolicyRuntime> _policies;

    /// <summary>The version the source gave this config (the xDS system version or the file's write time).</summary>
    public string Version { get; }

    /// <summary>Every route of the config.</summary>
    public IReadOnlyList<Route> Routes { get; }

    /// <summary>Finds the route of a request.</summary>
    public RouteTable Table { get; }

    /// <summary>The keys that seal MCP session ids, or null when the config has none.</summary>
    public SessionKeyRing? SessionKeys { get; }

    /// <summary>Which addresses upstream connections may reach; null lets every address through.</summary>
    public EgressPolicy? Egress { get; }

    /// <summary>The compiled policies of a route of this snapshot.</summary>
    public RoutePolicyRuntime PoliciesOf(Route route) => _policies[route];

    /// <summary>Validates <paramref name="routes"/> and builds a snapshot, or returns the reasons it cannot.</summary>
    public static SnapshotResult Create(
        string version, IReadOnlyCollection<Route> routes, IReadOnlyCollection<SessionKey>? sessionKeys = null, EgressPolicy? egress = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        sessionKeys ??= [];
        var errors = SnapshotValidator.Validate(routes, sessionKeys, egress);
        if (errors.Count > 0)
        {
            return new SnapshotResult(null, errors);
        }

        var ring = sessionKeys.Count == 0
            ? null
            : SessionKeyRing.Create([.. sessionKeys.Select(key => new SessionKeyRing.Key(key.Id, key.Key.ToByteArray(), key.Primary))]);
        FrozenDictionary<Route, RoutePolicyRuntime> policies;
        try
        {
            policies = routes.ToFrozenDictionary<Route, Route, RoutePolicyRuntime>(route => route, RoutePolicyRuntime.Compile, ReferenceEqualityComparer.Instance);
        }
        catch (Exception exception) when (exception is Cel.CelException or ArgumentException or InvalidOperationException or FormatException)
        {
            // Validation has compiled every rule already; this is the last line of defence, not the first.
            return new SnapshotResult(null, [$"the policies cannot be compiled: {exception.Message}"]);
        }

        return new SnapshotResult(new GatewaySnapshot(version, [.. routes], ring, egress, policies), []);
    }
}
