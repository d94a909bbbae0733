using System.Collections.Frozen;
using AgentGateway.Contracts.Envoy.Discovery;

namespace AgentGateway.AdminApi.Xds;

/// <summary>One consistent version of every resource proxies receive, keyed by resource name.</summary>
internal sealed record XdsSnapshot(long Revision, FrozenDictionary<string, Resource> Resources)
{
    public static XdsSnapshot Empty { get; } = new(-1, FrozenDictionary<string, Resource>.Empty);

    public string SystemVersion => Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
