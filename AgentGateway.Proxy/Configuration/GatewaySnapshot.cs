using System.Collections.Frozen;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Configuration;

/// <summary>
/// One immutable, validated version of everything the proxy serves. Built once per config change (from xDS or the
/// standalone file) and swapped in atomically; the request path only reads it.
/// </summary>
internal sealed class GatewaySnapshot
{
    private GatewaySnapshot(string version, FrozenDictionary<string, Route> routesByPath)
    {
        Version = version;
        RoutesByPath = routesByPath;
    }

    /// <summary>The version the source gave this config (the xDS system version or the file's write time).</summary>
    public string Version { get; }

    /// <summary>Routes keyed by their exact path (ordinal).</summary>
    public FrozenDictionary<string, Route> RoutesByPath { get; }

    /// <summary>Validates <paramref name="routes"/> and builds a snapshot, or returns the reasons it cannot.</summary>
    public static SnapshotResult Create(string version, IReadOnlyCollection<Route> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var errors = SnapshotValidator.Validate(routes);
        if (errors.Count > 0)
        {
            return new SnapshotResult(null, errors);
        }

        var byPath = routes.ToFrozenDictionary(route => route.Match.Path, StringComparer.Ordinal);
        return new SnapshotResult(new GatewaySnapshot(version, byPath), []);
    }
}
