using AgentGateway.Contracts.Policies;

namespace AgentGateway.Tests.Contracts;

/// <summary>Authorization rules are bounded in what they cost per request, by the same check on both planes.</summary>
public sealed class CelCostTests
{
    [Theory]
    [InlineData("jwt.sub == 'alice'")]
    [InlineData("jwt.groups.exists(g, g == 'admins')")]
    [InlineData("jwt.groups.exists(g, jwt.roles.all(r, r != g))")]
    [InlineData("request.path.matches('^/a') && request.host.matches('b$')")]
    [InlineData("jwt.sub == 'all(x, exists(y, map(z, filter(w, 1))))'")]
    [InlineData("jwt.sub == \"a\\\"b.all(\"")]
    public void AffordableRules_AreAccepted(string rule) => Assert.Null(CelExpressions.Validate(rule));

    [Theory]
    [InlineData("jwt.a.all(x, jwt.b.all(y, jwt.c.all(z, x == y && y == z)))", "nested 3 deep")]
    [InlineData("jwt.a.exists(x, x == 1) || jwt.b.exists(x, x == 1) || jwt.c.exists(x, x == 1) || jwt.d.exists(x, x == 1) || jwt.e.exists(x, x == 1)", "5 comprehensions")]
    [InlineData("jwt.a.map(x, x).filter(y, y).exists(z, z).all(w, w) && jwt.b.exists_one(v, v)", "5 comprehensions")]
    [InlineData("request.path.matches('a') || request.path.matches('b') || request.path.matches('c') || request.path.matches('d') || request.path.matches('e')", "5 regular expressions")]
    public void CostlyRules_AreRefused_SayingWhy(string rule, string why)
    {
        var problem = CelExpressions.Validate(rule);
        Assert.NotNull(problem);
        Assert.Contains("costs too much per request", problem, StringComparison.Ordinal);
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }
}
