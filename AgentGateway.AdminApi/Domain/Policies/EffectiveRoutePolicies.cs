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
            switch (part.Kind)
            {
                case PolicyKinds.JwtAuth:
                    policies.JwtAuth = (JwtAuthentication)part.Spec;
                    break;
                case PolicyKinds.McpAuthentication:
                    policies.McpAuthentication = (McpAuthentication)part.Spec;
                    break;
                case PolicyKinds.ApiKeyAuth:
                    policies.ApiKeyAuth = (ApiKeyAuthentication)part.Spec;
                    break;
                case PolicyKinds.ExtAuthz:
                    policies.ExtAuthz = (ExternalAuthorization)part.Spec;
                    break;
                case PolicyKinds.McpAuthorization:
                    policies.McpAuthorization = (McpAuthorization)part.Spec;
                    break;
                case PolicyKinds.A2aAuthorization:
                    policies.A2AAuthorization = (A2aAuthorization)part.Spec;
                    break;
                case PolicyKinds.LlmGuards:
                    policies.LlmGuards = (LlmGuards)part.Spec;
                    break;
                case PolicyKinds.RequestHeaders:
                    policies.RequestHeaders = (HeaderModifier)part.Spec;
                    break;
                case PolicyKinds.ResponseHeaders:
                    policies.ResponseHeaders = (HeaderModifier)part.Spec;
                    break;
                case PolicyKinds.Redirect:
                    policies.Redirect = (RequestRedirect)part.Spec;
                    break;
                case PolicyKinds.UrlRewrite:
                    policies.UrlRewrite = (UrlRewrite)part.Spec;
                    break;
                case PolicyKinds.DirectResponse:
                    policies.DirectResponse = (DirectResponse)part.Spec;
                    break;
                case PolicyKinds.Cors:
                    policies.Cors = (Cors)part.Spec;
                    break;
                case PolicyKinds.Timeouts:
                    policies.Timeouts = (Timeouts)part.Spec;
                    break;
                case PolicyKinds.Retry:
                    policies.Retry = (RetryPolicy)part.Spec;
                    break;
                case PolicyKinds.Mirrors:
                    policies.Mirrors.Add(((RoutePolicies)part.Spec).Mirrors);
                    break;
                case PolicyKinds.LocalRateLimit:
                    policies.LocalRateLimit = (LocalRateLimit)part.Spec;
                    break;
                case PolicyKinds.RateLimit:
                    policies.RateLimit = (DistributedRateLimit)part.Spec;
                    break;
            }
        }

        return policies;
    }
}
