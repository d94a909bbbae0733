namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>The kinds of role binding subjects.</summary>
internal static class SubjectKinds
{
    public const string User = "user";
    public const string Group = "group";
    public const string Role = "role";
    public const string Claim = "claim";
    public const string ApiKey = "api-key";
    public const string Expression = "expression";

    public static IReadOnlyList<string> All { get; } = [User, Group, Role, Claim, ApiKey, Expression];
}
