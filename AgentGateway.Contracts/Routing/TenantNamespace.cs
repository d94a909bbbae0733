using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Routing;

/// <summary>
/// A tenant's share of the gateway's path space: <c>/{tenant}</c> and everything below it, plus every path of the
/// hosts a platform admin granted the tenant (<see cref="HostGrant"/>). The control plane refuses a route that would
/// reach outside it, the proxy refuses such a route again when it builds its route table, and the route table checks
/// every request against it, so no route of one tenant takes a request meant for another whatever its match says.
/// </summary>
public static class TenantNamespace
{
    /// <summary>Whether <paramref name="path"/> is <c>/{tenant}</c> or lies below it (ordinal: paths are case-sensitive).</summary>
    public static bool Contains(string tenant, ReadOnlySpan<char> path)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Length > 0
            && path.Length > tenant.Length
            && path[0] == '/'
            && path.Slice(1, tenant.Length).SequenceEqual(tenant)
            && (path.Length == tenant.Length + 1 || path[tenant.Length + 1] == '/');
    }

    /// <summary>
    /// The errors of a route of <paramref name="tenant"/> whose match could take paths outside the tenant's namespace.
    /// A route may leave <c>/{tenant}</c> when every host it names was granted to the tenant, or when it names none and
    /// the tenant holds a grant (it then takes those paths on the tenant's granted hosts only). Otherwise its path or
    /// prefix must lie under <c>/{tenant}</c> and its regex must start with <c>^/{tenant}/</c> without a top-level
    /// alternative.
    /// </summary>
    public static void Validate(string tenant, RouteMatch? match, HostGrantSet grants, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(errors);
        if (match is null || (match.Hosts.Count > 0 ? grants.IsGranted(tenant, match.Hosts) : grants.HasGrant(tenant)))
        {
            return;
        }

        var hint = match.Hosts.Count > 0
            ? $" (not every host of the route is granted to tenant '{tenant}': {string.Join(", ", match.Hosts.Where(host => !grants.IsGranted(tenant, host)).Select(host => $"'{host}'"))}; only a platform admin grants hosts)"
            : string.Empty;
        if (match.Path.Length > 0 && !Contains(tenant, match.Path))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "path"), $"must be '/{tenant}' or lie below '/{tenant}/'{hint}"));
        }

        if (match.PathPrefix.Length > 0 && !Contains(tenant, match.PathPrefix))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "pathPrefix"), $"must be '/{tenant}' or lie below '/{tenant}/'{hint}"));
        }

        if (match.PathRegex.Length > 0 && !RegexStaysUnder(tenant, match.PathRegex))
        {
            errors.Add(new ConfigError(PolicyValidator.Join(path, "pathRegex"),
                $"must start with '^/{tenant}/' and have no '|' outside a group, so that it only takes paths below '/{tenant}/'{hint}"));
        }
    }

    /// <summary>
    /// Whether a path regex reads as taking only paths below <c>/{tenant}/</c>: it starts with <c>^/{tenant}/</c> and
    /// no alternative starts outside a group. A heuristic for a clear error: the route table enforces the namespace on
    /// every request whatever the regex does (inline options, comments, look-arounds, classes).
    /// </summary>
    public static bool RegexStaysUnder(string tenant, string pattern)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(pattern);
        if (!pattern.StartsWith($"^/{tenant}/", StringComparison.Ordinal))
        {
            return false;
        }

        var depth = 0;
        var inClass = false;
        for (var index = 0; index < pattern.Length; index++)
        {
            switch (pattern[index])
            {
                case '\\':
                    index++;
                    break;
                case '[' when !inClass:
                    inClass = true;
                    // A ']' right after '[' or '[^' is a literal member of the class.
                    if (index + 1 < pattern.Length && pattern[index + 1] == '^')
                    {
                        index++;
                    }

                    if (index + 1 < pattern.Length && pattern[index + 1] == ']')
                    {
                        index++;
                    }

                    break;
                case ']' when inClass:
                    inClass = false;
                    break;
                case '(' when !inClass:
                    depth++;
                    break;
                case ')' when !inClass:
                    depth--;
                    if (depth < 0)
                    {
                        return false;
                    }

                    break;
                case '|' when !inClass && depth == 0:
                    return false;
                case '#' when !inClass:
                    // An x-mode comment could hide a ')' or '|' from this reading; refuse rather than guess.
                    return false;
            }
        }

        return depth == 0 && !inClass;
    }
}
