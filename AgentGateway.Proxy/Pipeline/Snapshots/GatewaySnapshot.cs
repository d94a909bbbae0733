using System.Collections.Frozen;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Routing;

namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>
/// One immutable, validated version of everything the proxy serves. Built once per config change (from xDS or the
/// standalone file) and swapped in atomically; the request path only reads it.
/// </summary>
internal sealed class GatewaySnapshot
{
    private GatewaySnapshot(
        string version, IReadOnlyList<Route> routes, SessionKeyRing? sessionKeys, EgressPolicy? egress, HostGrantSet grants,
        FrozenDictionary<Route, RouteRuntime> runtimes)
    {
        Version = version;
        Routes = routes;
        Grants = grants;
        Table = RouteTable.Create(routes, grants);
        SessionKeys = sessionKeys;
        Egress = egress;
        _runtimes = runtimes;
    }

    private readonly FrozenDictionary<Route, RouteRuntime> _runtimes;

    /// <summary>The version the source gave this config (the xDS system version or the file's write time).</summary>
    public string Version { get; }

    /// <summary>Every route the config serves (those it refused are not among them).</summary>
    public IReadOnlyList<Route> Routes { get; }

    /// <summary>The hosts granted whole to tenants.</summary>
    public HostGrantSet Grants { get; }

    /// <summary>Finds the route of a request.</summary>
    public RouteTable Table { get; }

    /// <summary>The keys that seal MCP session ids, or null when the config has none.</summary>
    public SessionKeyRing? SessionKeys { get; }

    /// <summary>Which addresses upstream connections may reach; null lets every address through.</summary>
    public EgressPolicy? Egress { get; }

    /// <summary>What the gateway made of a route of this snapshot: its compiled policies and its kind's state.</summary>
    public RouteRuntime RuntimeOf(Route route) => _runtimes[route];

    /// <summary>The compiled policies of a route of this snapshot.</summary>
    public RoutePolicyRuntime PoliciesOf(Route route) => _runtimes[route].Policies;

    /// <summary>The resource name of a route: <c>{tenant}/{route}</c>.</summary>
    public static string NameOf(Route route) => $"{route.Tenant}/{route.Name}";

    /// <summary>
    /// Like <see cref="Create"/>, but a route refused in <paramref name="routes"/> that <paramref name="previous"/>
    /// (by resource name) holds in another version is served in that version, if it still passes; the refusal is still
    /// reported, marked <see cref="RejectedRoute.PreviousServed"/>.
    /// </summary>
    /// <param name="unchangedFrom">
    /// A snapshot built from the same session keys, egress policy and host grants: a route it holds (the same instance)
    /// keeps its validation and its runtime, compiled policies and kind state included, so a change to one route of
    /// thousands costs that route, not all of them.
    /// </param>
    public static SnapshotResult CreateKeepingPrevious(
        string version, IReadOnlyList<Route> routes, IReadOnlyDictionary<string, Route> previous, IReadOnlyCollection<SessionKey>? sessionKeys = null,
        EgressPolicy? egress = null, IReadOnlyList<HostGrant>? hostGrants = null, GatewaySnapshot? unchangedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(previous);
        var result = Create(version, routes, sessionKeys, egress, hostGrants, unchangedFrom);
        if (result.Snapshot is null || result.Rejected.Count == 0)
        {
            return result;
        }

        var refused = result.Rejected.ToDictionary(rejected => rejected.Name, StringComparer.Ordinal);
        var fallbacks = routes.Select(route => previous.GetValueOrDefault(NameOf(route)) is { } old && refused.ContainsKey(NameOf(route)) && !old.Equals(route) ? old : route).ToList();
        if (fallbacks.SequenceEqual(routes, ReferenceEqualityComparer.Instance))
        {
            return result;
        }

        var retried = Create(version, fallbacks, sessionKeys, egress, hostGrants, unchangedFrom);
        if (retried.Snapshot is null)
        {
            return result;
        }

        // The first attempt's reasons stand for the versions received; a fallback that passed is marked as served.
        var served = retried.Snapshot.Routes.Select(NameOf).ToHashSet(StringComparer.Ordinal);
        var rejected = refused.Values.Select(route => route with { PreviousServed = served.Contains(route.Name) })
            .Concat(retried.Rejected.Where(route => !refused.ContainsKey(route.Name)))
            .ToList();
        return retried with { Rejected = rejected };
    }

    /// <summary>
    /// Validates the config and builds a snapshot of the routes that pass on their own, or returns the reasons the
    /// shared resources (session keys, egress policy, host grants) refuse it all. Of two routes with the same match
    /// the first keeps it.
    /// </summary>
    public static SnapshotResult Create(
        string version, IReadOnlyCollection<Route> routes, IReadOnlyCollection<SessionKey>? sessionKeys = null, EgressPolicy? egress = null,
        IReadOnlyList<HostGrant>? hostGrants = null, GatewaySnapshot? unchangedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        sessionKeys ??= [];
        hostGrants ??= [];
        var errors = SnapshotValidator.ValidateShared(sessionKeys, egress, hostGrants);
        if (errors.Count > 0)
        {
            return new SnapshotResult(null, errors, []);
        }

        var grants = HostGrantSet.Create(hostGrants);
        var rejected = new List<RejectedRoute>();
        var accepted = new List<Route>(routes.Count);
        var matches = new Dictionary<string, string>(StringComparer.Ordinal);
        var runtimes = new Dictionary<Route, RouteRuntime>(ReferenceEqualityComparer.Instance);
        foreach (var route in routes)
        {
            // A route the previous snapshot holds was validated and compiled when it came; only its match may now meet
            // a newcomer's.
            var kept = unchangedFrom?._runtimes.GetValueOrDefault(route);
            IReadOnlyList<string> routeErrors = kept is null ? SnapshotValidator.ValidateRoute(route, grants) : [];
            if (routeErrors.Count == 0 && !matches.TryAdd(RouteResourceValidator.MatchKey(route.Match), NameOf(route)))
            {
                routeErrors = [$"match: route '{matches[RouteResourceValidator.MatchKey(route.Match)]}' has the same match"];
            }

            if (routeErrors.Count == 0)
            {
                try
                {
                    runtimes[route] = kept ?? new RouteRuntime(route, RoutePolicyRuntime.Compile(route));
                }
                catch (Exception exception) when (exception is Cel.CelException or ArgumentException or InvalidOperationException or FormatException)
                {
                    // Validation has compiled every rule already; this is the last line of defence, not the first.
                    routeErrors = [$"policies: cannot be compiled: {exception.Message}"];
                }
            }

            if (routeErrors.Count > 0)
            {
                rejected.Add(new RejectedRoute(NameOf(route), routeErrors));
                continue;
            }

            accepted.Add(route);
        }

        var ring = sessionKeys.Count == 0
            ? null
            : SessionKeyRing.Create([.. sessionKeys.Select(key => new SessionKeyRing.Key(key.Id, key.Key.ToByteArray(), key.Primary))]);
        var snapshot = new GatewaySnapshot(version, accepted, ring, egress, grants, runtimes.ToFrozenDictionary(ReferenceEqualityComparer.Instance));
        return new SnapshotResult(snapshot, [], rejected);
    }
}
