using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>
/// Checks a config before it may replace the running one. What every route depends on (session keys, the egress
/// policy, host grants) must be right for anything to apply; each route is then checked on its own with the rules the
/// control plane shares (<see cref="RouteResourceValidator"/>), so one bad route is refused alone. Every error names
/// the resource and field, so an operator (or the control plane reading a NACK) knows what to change.
/// </summary>
internal static class SnapshotValidator
{
    /// <summary>The errors of the resources every route depends on; any one of them refuses the whole config.</summary>
    public static IReadOnlyList<string> ValidateShared(IReadOnlyCollection<SessionKey> sessionKeys, EgressPolicy? egress, IReadOnlyList<HostGrant> grants)
    {
        var errors = new List<string>();
        ValidateSessionKeys(sessionKeys, errors);
        var problems = new List<ConfigError>();
        PolicyValidator.Validate(egress, "egress", problems);
        HostGrantSet.Validate(grants, problems);
        errors.AddRange(problems.Select(error => error.ToString()));
        return errors;
    }

    /// <summary>The errors of one route on its own, each prefixed with the field at fault.</summary>
    public static IReadOnlyList<string> ValidateRoute(Route route, HostGrantSet grants)
    {
        var problems = new List<ConfigError>();
        RouteResourceValidator.Validate(route, grants, problems);
        return [.. problems.Select(error => error.ToString())];
    }

    private static void ValidateSessionKeys(IReadOnlyCollection<SessionKey> keys, List<string> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (string.IsNullOrEmpty(key.Id) || !ids.Add(key.Id))
            {
                errors.Add($"session key '{key.Id}': ids must be non-empty and distinct");
            }

            if (key.Key.Length != 32)
            {
                errors.Add($"session key '{key.Id}': key must be 32 bytes, not {key.Key.Length}");
            }
        }

        if (keys.Count > 0 && keys.Count(key => key.Primary) != 1)
        {
            errors.Add("session keys: exactly one key must be primary");
        }
    }
}
