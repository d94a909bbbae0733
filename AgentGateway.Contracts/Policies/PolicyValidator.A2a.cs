using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>A2A method authorization.</summary>
public static partial class PolicyValidator
{
    public static void Validate(A2aAuthorization authorization, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        Rules(authorization.Rules, Join(path, "rules"), errors);
    }
}
