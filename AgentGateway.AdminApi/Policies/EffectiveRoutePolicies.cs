using AgentGateway.Contracts.V1;
using Google.Protobuf;

namespace AgentGateway.AdminApi.Policies;

/// <summary>Everything that applies to one route: its caller-side policies and each target's backend policies.</summary>
internal sealed record EffectiveRoutePolicies(IReadOnlyList<EffectivePolicy> Route, IReadOnlyList<EffectiveTarget> Targets)
{
    /// <summary>Every spec, caller side and backend side (for resolving their secrets).</summary>
    public IEnumerable<IMessage> Specs =>
        Route.Select(part => part.Spec)
            .Concat(Targets.SelectMany(target => new[] { target.Auth?.Spec, target.Tls?.Spec }).OfType<IMessage>());

    /// <summary>The caller-side parts as the Route resource carries them; null when there are none.</summary>
    public RoutePolicies? ToRoutePolicies()
    {
        if (Route.Count == 0)
        {
            return null;
        }

        var policies = new RoutePolicies();
        foreach (var part in Route)
        {
            switch (part.Spec)
            {
                case JwtAuthentication jwt:
                    policies.JwtAuth = jwt;
                    break;
                case McpAuthentication mcp:
                    policies.McpAuthentication = mcp;
                    break;
                case ApiKeyAuthentication apiKeys:
                    policies.ApiKeyAuth = apiKeys;
                    break;
                case ExternalAuthorization extAuthz:
                    policies.ExtAuthz = extAuthz;
                    break;
                case McpAuthorization authorization:
                    policies.McpAuthorization = authorization;
                    break;
            }
        }

        return policies;
    }
}
