using AgentGateway.Contracts.V1;

namespace AgentGateway.Contracts.Policies;

/// <summary>A2A method authorization.</summary>
public static partial class PolicyValidator
{
    public static void Validate(A2aAuthorization authorization, string path, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(errors);
        for (var index = 0; index < authorization.Rules.Count; index++)
        {
            if (CelExpressions.Validate(authorization.Rules[index].Expression) is { } problem)
            {
                errors.Add(new ConfigError($"{Join(path, "rules")}[{index}].expression", problem));
            }
        }
    }
}
