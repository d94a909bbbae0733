using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>Traffic policies: headers, redirect, rewrite, direct response, CORS, timeouts, retries and mirrors.</summary>
public static partial class PolicyValidator
{
    private static void ValidateTraffic(RoutePolicies policies, string path, List<ConfigError> errors)
    {
    }
}
