using AgentGateway.Contracts.Policies.Kinds;
using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>Everything that applies to one route: its route-level policies (caller side and traffic) and each backend's backend policies.</summary>
internal sealed record EffectiveRoutePolicies(IReadOnlyList<EffectivePolicy> Route, IReadOnlyList<EffectiveTarget> Targets)
{
    /// <summary>Every spec, caller side and backend side (for resolving their secrets).</summary>
    public IEnumerable<IMessage> Specs =>
        Route.Select(part => part.Spec)
            .Concat(Targets.SelectMany(target => new[] { target.Auth?.Spec, target.Tls?.Spec }).OfType<IMessage>());

    /// <summary>Policies attached to the route that change nothing on its kind: reported, never sent.</summary>
    public IReadOnlyList<IgnoredPolicy> Ignored { get; init; } = [];

    /// <summary>The route-level parts as the Route resource carries them; null when there are none.</summary>
    public RoutePolicies? ToRoutePolicies()
    {
        if (Route.Count == 0)
        {
            return null;
        }

        var policies = new RoutePolicies();
        foreach (var part in Route)
        {
            PolicyKinds.Find(part.Kind)?.Set(policies, part.Spec);
        }

        return policies;
    }
}

/// <summary>A policy attached to a route that changes nothing on the route's kind, and why.</summary>
internal sealed record IgnoredPolicy(string Kind, ParsedPolicy Source, string Reason);
