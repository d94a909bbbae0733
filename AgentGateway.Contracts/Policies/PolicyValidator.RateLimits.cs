using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>Rate limits: local token buckets and distributed limits (Redis or an Envoy rate-limit service).</summary>
public static partial class PolicyValidator
{
    private static void ValidateRateLimits(RoutePolicies policies, string path, List<ConfigError> errors)
    {
    }
}
