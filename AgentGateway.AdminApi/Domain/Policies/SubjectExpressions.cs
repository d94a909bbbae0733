using AgentGateway.AdminApi.Data.Entities;

namespace AgentGateway.AdminApi.Domain.Policies;

/// <summary>
/// The CEL expression that says whether the caller is a binding's subject. Every generated expression first checks
/// that what it reads is there (<c>has(...)</c>), so a token without the claim simply does not match.
/// </summary>
internal static class SubjectExpressions
{
    public static string For(BindingSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var value = CelText.Literal(subject.Value);
        return subject.Kind switch
        {
            SubjectKinds.User => $"(has(jwt.sub) && jwt.sub == {value}) || (has(jwt.preferred_username) && jwt.preferred_username == {value})",
            SubjectKinds.Group => $"has(jwt.groups) && (type(jwt.groups) == list ? {value} in jwt.groups : jwt.groups == {value})",
            SubjectKinds.Role => $"has(jwt.realm_access) && has(jwt.realm_access.roles) && {value} in jwt.realm_access.roles",
            SubjectKinds.Claim => Claim(subject.Claim!, value),
            SubjectKinds.ApiKey => $"has(apiKey.name) && apiKey.name == {value}",
            SubjectKinds.Expression => subject.Value,
            _ => "false",
        };
    }

    /// <summary>Any of the subjects.</summary>
    public static string ForAny(IEnumerable<BindingSubject> subjects) =>
        string.Join(" || ", subjects.Select(subject => $"({For(subject)})"));

    /// <summary>The rule a binding adds for one rule of its role: the caller is a subject, and the role's rule holds.</summary>
    public static string Rule(IEnumerable<BindingSubject> subjects, string roleRule) => $"({ForAny(subjects)}) && ({roleRule})";

    private static string Claim(string claim, string value)
    {
        var (guard, claimValue) = CelText.Claim(claim);
        return $"{guard} && (type({claimValue}) == list ? {value} in {claimValue} : {claimValue} == {value})";
    }
}
