using System.Collections.Frozen;
using System.Text.RegularExpressions;
using AgentGateway.Contracts.Routing;

namespace AgentGateway.Proxy.Pipeline.Routing;

/// <summary>
/// Finds the route of a request: exact paths through one dictionary lookup, prefixes by walking the path's segment
/// boundaries, regexes last. Candidates for the same path are tried most specific first (see <c>RouteMatch</c>).
/// Built once per snapshot; matching allocates nothing for exact and prefix paths.
/// </summary>
/// <remarks>
/// Tenants cannot reach each other's requests whatever their routes say (<see cref="TenantNamespace"/>): a request for
/// a host granted to a tenant is matched against that tenant's routes only, and any other request against each
/// route only when its path lies under the route's <c>/{tenant}</c>. Snapshot validation refuses routes that read
/// otherwise; this check holds even for a regex that validation read wrongly.
/// </remarks>
internal sealed class RouteTable
{
    /// <summary>The paths below an MCP route that its legacy HTTP+SSE transport serves.</summary>
    public const string LegacyStreamSuffix = "/sse";
    public const string LegacyMessageSuffix = "/message";

    private readonly FrozenDictionary<string, CompiledRoute[]> _exact;
    private readonly FrozenDictionary<string, CompiledRoute[]> _prefixes;
    private readonly FrozenDictionary<string, CompiledRoute[]>.AlternateLookup<ReadOnlySpan<char>> _prefixesBySpan;
    private readonly CompiledRoute[] _regexes;
    private readonly FrozenDictionary<string, Route> _mcpByPath;
    private readonly HostGrantSet _grants;

    private RouteTable(
        FrozenDictionary<string, CompiledRoute[]> exact, FrozenDictionary<string, CompiledRoute[]> prefixes, CompiledRoute[] regexes,
        FrozenDictionary<string, Route> mcpByPath, HostGrantSet grants)
    {
        _exact = exact;
        _prefixes = prefixes;
        _prefixesBySpan = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _regexes = regexes;
        _mcpByPath = mcpByPath;
        _grants = grants;
    }

    public static RouteTable Create(IEnumerable<Route> routes, HostGrantSet? grants = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        grants ??= HostGrantSet.Empty;
        var exact = new Dictionary<string, List<CompiledRoute>>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, List<CompiledRoute>>(StringComparer.Ordinal);
        var regexes = new List<CompiledRoute>();
        var mcp = new Dictionary<string, Route>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var match = route.Match;
            switch (route.BackendCase)
            {
                case Route.BackendOneofCase.Mcp:
                    Add(exact, match.Path, new CompiledRoute(route, null, null));
                    Add(exact, Join(match.Path, LegacyStreamSuffix), new CompiledRoute(route, LegacyStreamSuffix, null));
                    Add(exact, Join(match.Path, LegacyMessageSuffix), new CompiledRoute(route, LegacyMessageSuffix, null));
                    mcp.TryAdd(match.Path, route);
                    break;
                case Route.BackendOneofCase.A2A or Route.BackendOneofCase.Llm:
                    Add(prefixes, TrimEnd(match.Path), new CompiledRoute(route, null, TrimEnd(match.Path)));
                    break;
                default:
                    if (match.Path.Length > 0)
                    {
                        Add(exact, match.Path, new CompiledRoute(route, null, null));
                    }
                    else if (match.PathPrefix.Length > 0)
                    {
                        Add(prefixes, TrimEnd(match.PathPrefix), new CompiledRoute(route, null, TrimEnd(match.PathPrefix)));
                    }
                    else
                    {
                        regexes.Add(new CompiledRoute(route, null, null));
                    }

                    break;
            }
        }

        regexes.Sort(CompiledRoute.Compare);
        return new RouteTable(
            exact.ToFrozenDictionary(pair => pair.Key, pair => Sorted(pair.Value), StringComparer.Ordinal),
            prefixes.ToFrozenDictionary(pair => pair.Key, pair => Sorted(pair.Value), StringComparer.Ordinal),
            [.. regexes],
            mcp.ToFrozenDictionary(StringComparer.Ordinal),
            grants);
    }

    /// <summary>The route that takes <paramref name="request"/>, or null.</summary>
    public RouteMatchResult? Match(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        var owner = _grants.IsEmpty ? null : _grants.OwnerOf(request.Host.Host);
        if (_exact.TryGetValue(path, out var exact) && First(exact, request, path, owner) is { } found)
        {
            return found;
        }

        if (_prefixes.Count > 0)
        {
            // The longest prefix first: the whole path, then each shorter segment boundary, then "" (the root).
            var end = path.Length > 1 && path[^1] == '/' ? path.Length - 1 : path.Length;
            while (true)
            {
                if (_prefixesBySpan.TryGetValue(path.AsSpan(0, end), out var prefixed) && First(prefixed, request, path, owner) is { } byPrefix)
                {
                    return byPrefix;
                }

                if (end == 0)
                {
                    break;
                }

                end = path.LastIndexOf('/', end - 1);
                if (end < 0)
                {
                    break;
                }
            }
        }

        foreach (var route in _regexes)
        {
            if (route.InNamespace(path, owner) && route.PathRegex!.IsMatchSafely(path) && route.Matches(request))
            {
                return route.Result;
            }
        }

        return null;
    }

    /// <summary>
    /// The MCP route whose exact path is <paramref name="path"/> (for its protected resource metadata), unless the
    /// request's host belongs to another tenant.
    /// </summary>
    public Route? McpRouteAt(string path, string host)
    {
        var route = _mcpByPath.GetValueOrDefault(path);
        var owner = route is null || _grants.IsEmpty ? null : _grants.OwnerOf(host);
        return owner is null || owner == route!.Tenant ? route : null;
    }

    private static RouteMatchResult? First(CompiledRoute[] candidates, HttpRequest request, string path, string? owner)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.InNamespace(path, owner) && candidate.Matches(request))
            {
                return candidate.Result;
            }
        }

        return null;
    }

    private static void Add(Dictionary<string, List<CompiledRoute>> table, string key, CompiledRoute route)
    {
        if (!table.TryGetValue(key, out var list))
        {
            table[key] = list = [];
        }

        list.Add(route);
    }

    private static CompiledRoute[] Sorted(List<CompiledRoute> routes)
    {
        routes.Sort(CompiledRoute.Compare);
        return [.. routes];
    }


    private static string TrimEnd(string path) => path.Length > 1 && path[^1] == '/' ? path[..^1] : path == "/" ? string.Empty : path;

    private static string Join(string path, string suffix) => path == "/" ? suffix : TrimEnd(path) + suffix;

    /// <summary>A route with its conditions compiled.</summary>
    private sealed class CompiledRoute
    {
        private readonly string[] _exactHosts;
        private readonly string[] _wildcardSuffixes;
        private readonly string[] _methods;
        private readonly Condition[] _headers;
        private readonly Condition[] _query;

        private readonly string _tenant;

        /// <summary>Whether the route's own path lies in its tenant's namespace, so that every path it takes does too.</summary>
        private readonly bool _pathInside;

        public CompiledRoute(Route route, string? legacySuffix, string? matchedPrefix)
        {
            Route = route;
            _tenant = route.Tenant;
            _pathInside = route.Match.Path.Length > 0 ? TenantNamespace.Contains(_tenant, route.Match.Path)
                : route.Match.PathPrefix.Length > 0 && TenantNamespace.Contains(_tenant, route.Match.PathPrefix);
            Result = new RouteMatchResult(route, legacySuffix, matchedPrefix);
            var match = route.Match;
            _exactHosts = [.. match.Hosts.Where(host => !host.StartsWith("*.", StringComparison.Ordinal))];
            _wildcardSuffixes = [.. match.Hosts.Where(host => host.StartsWith("*.", StringComparison.Ordinal)).Select(host => host[1..])];
            _methods = [.. match.Methods];
            _headers = [.. match.Headers.Select(header => new Condition(header.Name, header.Exact, header.Regex, header.Invert))];
            _query = [.. match.Query.Select(query => new Condition(query.Name, query.Exact, query.Regex, query.Invert))];
            PathRegex = match.PathRegex.Length > 0 ? RouteValidator.WholeInput(match.PathRegex) : null;
        }

        public Route Route { get; }

        /// <summary>What a match of this entry returns (shared, so matching allocates nothing).</summary>
        public RouteMatchResult Result { get; }

        public Regex? PathRegex { get; }

        private int HostRank => _exactHosts.Length > 0 ? 0 : _wildcardSuffixes.Length > 0 ? 1 : 2;

        /// <summary>
        /// Whether the route may take a request for <paramref name="path"/>: on a host granted to a tenant
        /// (<paramref name="owner"/>), only that tenant's routes may; elsewhere only a path under the route's tenant.
        /// </summary>
        public bool InNamespace(string path, string? owner) =>
            owner is null ? _pathInside || TenantNamespace.Contains(_tenant, path) : string.Equals(owner, _tenant, StringComparison.Ordinal);

        public bool Matches(HttpRequest request)
        {
            if (_exactHosts.Length + _wildcardSuffixes.Length > 0 && !MatchesHost(request.Host.Host))
            {
                return false;
            }

            if (_methods.Length > 0 && Array.IndexOf(_methods, request.Method) < 0)
            {
                return false;
            }

            foreach (var header in _headers)
            {
                if (!header.Holds(request.Headers.TryGetValue(header.Name, out var values) ? values : default))
                {
                    return false;
                }
            }

            foreach (var query in _query)
            {
                if (!query.Holds(request.Query.TryGetValue(query.Name, out var values) ? values : default))
                {
                    return false;
                }
            }

            return true;
        }

        private bool MatchesHost(string host)
        {
            foreach (var exact in _exactHosts)
            {
                if (string.Equals(host, exact, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            foreach (var suffix in _wildcardSuffixes)
            {
                // "*.example.com" takes "a.example.com" and "a.b.example.com", never "example.com".
                if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        public static int Compare(CompiledRoute? left, CompiledRoute? right)
        {
            ArgumentNullException.ThrowIfNull(left);
            ArgumentNullException.ThrowIfNull(right);
            var order = left.HostRank.CompareTo(right.HostRank);
            if (order == 0)
            {
                order = (right._methods.Length > 0).CompareTo(left._methods.Length > 0);
            }

            if (order == 0)
            {
                order = (right._headers.Length + right._query.Length).CompareTo(left._headers.Length + left._query.Length);
            }

            if (order == 0)
            {
                order = string.CompareOrdinal(left.Route.Tenant, right.Route.Tenant);
            }

            return order != 0 ? order : string.CompareOrdinal(left.Route.Name, right.Route.Name);
        }
    }

    /// <summary>A header or query parameter condition.</summary>
    private sealed class Condition(string name, string exact, string regex, bool invert)
    {
        private readonly Regex? _regex = regex.Length > 0 ? RouteValidator.WholeInput(regex) : null;

        public string Name { get; } = name;

        public bool Holds(Microsoft.Extensions.Primitives.StringValues values) => Test(values) != invert;

        private bool Test(Microsoft.Extensions.Primitives.StringValues values)
        {
            if (values.Count == 0)
            {
                return false;
            }

            if (exact.Length == 0 && _regex is null)
            {
                return true;
            }

            foreach (var value in values)
            {
                if (value is not null && (_regex is null ? string.Equals(value, exact, StringComparison.Ordinal) : _regex.IsMatchSafely(value)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>
/// A request's route; for MCP routes the legacy transport path it named; for prefix and A2A routes the prefix it
/// matched, without a trailing '/' ("" for the root).
/// </summary>
internal sealed record RouteMatchResult(Route Route, string? LegacySuffix, string? MatchedPrefix);

internal static class RegexExtensions
{
    /// <summary>A match that runs out of time counts as no match, never as an error of the request.</summary>
    public static bool IsMatchSafely(this Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
