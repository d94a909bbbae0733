using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>A2A method authorization, and the request authorization of every route kind.</summary>
public static partial class PolicyValidator
{
    public static void Validate(RequestAuthorization authorization, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        Rules(authorization.Rules, Join(path, "rules"), errors);
    }

    public static void Validate(A2aAuthorization authorization, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        Rules(authorization.Rules, Join(path, "rules"), errors);
    }
}
