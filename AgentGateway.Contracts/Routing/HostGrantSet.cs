using System.Collections.Frozen;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Routing;

/// <summary>
/// The hosts platform admins gave tenants whole (<see cref="HostGrant"/>), looked up by request host without
/// allocating: exact hosts in one dictionary, wildcard grants by each of the host's dot-separated suffixes.
/// </summary>
public sealed class HostGrantSet
{
    private readonly FrozenDictionary<string, string> _exact;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _exactBySpan;
    private readonly FrozenDictionary<string, string> _wildcards;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _wildcardsBySpan;

    private HostGrantSet(IReadOnlyList<HostGrant> grants)
    {
        Grants = grants;
        _exact = grants.Where(grant => !HostPatterns.IsWildcard(grant.Host))
            .DistinctBy(grant => grant.Host, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(grant => grant.Host, grant => grant.Tenant, StringComparer.OrdinalIgnoreCase);
        _exactBySpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        // "*.example.com" is keyed ".example.com": a request host matches it when one of its suffixes starting at a dot does.
        _wildcards = grants.Where(grant => HostPatterns.IsWildcard(grant.Host))
            .DistinctBy(grant => grant.Host, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(grant => grant.Host[1..], grant => grant.Tenant, StringComparer.OrdinalIgnoreCase);
        _wildcardsBySpan = _wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static HostGrantSet Empty { get; } = new([]);

    public IReadOnlyList<HostGrant> Grants { get; }

    public bool IsEmpty => Grants.Count == 0;

    public static HostGrantSet Create(IEnumerable<HostGrant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var list = grants.ToList();
        return list.Count == 0 ? Empty : new HostGrantSet(list);
    }

    /// <summary>The tenant the request host <paramref name="host"/> was granted to, or null when it is nobody's.</summary>
    public string? OwnerOf(ReadOnlySpan<char> host)
    {
        if (_exact.Count > 0 && _exactBySpan.TryGetValue(host, out var exact))
        {
            return exact;
        }

        if (_wildcards.Count > 0)
        {
            // The longest suffix first, so a grant of "*.a.example.com" wins over one of "*.example.com".
            for (var dot = host.IndexOf('.'); dot > 0 && dot < host.Length - 1; dot = NextDot(host, dot))
            {
                if (_wildcardsBySpan.TryGetValue(host[dot..], out var owner))
                {
                    return owner;
                }
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="tenant"/> was granted every host the route host pattern <paramref name="pattern"/> takes.</summary>
    public bool IsGranted(string tenant, string pattern)
    {
        foreach (var grant in Grants)
        {
            if (string.Equals(grant.Tenant, tenant, StringComparison.Ordinal) && HostPatterns.Covers(grant.Host, pattern))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="tenant"/> holds any grant.</summary>
    public bool HasGrant(string tenant)
    {
        foreach (var grant in Grants)
        {
            if (string.Equals(grant.Tenant, tenant, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the route's hosts are all granted to its tenant (and it names at least one).</summary>
    public bool IsGranted(string tenant, IReadOnlyCollection<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return hosts.Count > 0 && hosts.All(host => IsGranted(tenant, host));
    }

    /// <summary>The grants' own rules: valid hosts and tenants, and no host granted to two tenants.</summary>
    public static void Validate(IReadOnlyList<HostGrant> grants, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(errors);
        for (var index = 0; index < grants.Count; index++)
        {
            var grant = grants[index];
            var field = $"hostGrants[{index}]";
            if (!RouteValidator.IsHostPattern(grant.Host))
            {
                errors.Add(new ConfigError($"{field}.host", "must be a lower-case host name without port, optionally starting with '*.'"));
            }

            if (!Names.IsValid(grant.Tenant))
            {
                errors.Add(new ConfigError($"{field}.tenant", Names.Rule));
            }

            for (var other = 0; other < index; other++)
            {
                if (grants[other].Tenant != grant.Tenant && HostPatterns.Overlap(grants[other].Host, grant.Host))
                {
                    errors.Add(new ConfigError($"{field}.host",
                        $"'{grant.Host}' overlaps '{grants[other].Host}', granted to tenant '{grants[other].Tenant}': a host belongs to one tenant"));
                }
            }
        }
    }

    private static int NextDot(ReadOnlySpan<char> host, int dot)
    {
        var next = host[(dot + 1)..].IndexOf('.');
        return next < 0 ? -1 : dot + 1 + next;
    }
}
