using System.Collections.Frozen;
using AgentGateway.Contracts.Envoy.Discovery;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// One consistent version of every resource proxies receive: by type URL, then by resource name; and the routes the
/// control plane left out of it, by resource name, with the reason.
/// </summary>
internal sealed record XdsSnapshot(long Revision, FrozenDictionary<string, FrozenDictionary<string, Resource>> Resources)
{
    public static XdsSnapshot Empty { get; } = new(-1, FrozenDictionary<string, FrozenDictionary<string, Resource>>.Empty);

    /// <summary>The tenant of each host grant, by host (the resource's name).</summary>
    public FrozenDictionary<string, string> GrantTenants { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The tenant of each route built, sent or left out, by resource name: what a rebuild of some tenants replaces.</summary>
    public FrozenDictionary<string, Guid> RouteTenants { get; init; } = FrozenDictionary<string, Guid>.Empty;

    /// <summary>Routes not sent to proxies because they cannot work as configured (a missing secret, a rule they break).</summary>
    public FrozenDictionary<string, string> LeftOut { get; init; } = FrozenDictionary<string, string>.Empty;

    public string SystemVersion => Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The resources of one type (none when the type has none).</summary>
    public FrozenDictionary<string, Resource> Of(string typeUrl) =>
        Resources.GetValueOrDefault(typeUrl) ?? FrozenDictionary<string, Resource>.Empty;

    public int Count => Resources.Values.Sum(resources => resources.Count);
}
