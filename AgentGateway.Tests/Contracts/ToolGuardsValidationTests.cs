using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Policies.Kinds;

namespace AgentGateway.Tests.Contracts;

/// <summary>The tool-guards kind in the catalog: where it acts, and what its validation refuses, field by field.</summary>
public sealed class ToolGuardsValidationTests
{
    [Fact]
    public void TheKind_ActsOnMcpRoutesAlone_AndItsExampleIsValid()
    {
        var kind = PolicyKinds.Find(PolicyKinds.ToolGuards)!;
        Assert.Equal(["mcp"], kind.RouteKinds);
        Assert.Equal("toolGuards", kind.Field);
        Assert.Empty(Problems(kind.Example("secret").ToJsonString()));
    }

    [Theory]
    [InlineData("""{}""", "spec", "needs at least one arguments or results guard, or a size bound")]
    [InlineData("""{"arguments":[{"name":"bad","patterns":["(unclosed"]}]}""", "spec.arguments[0].patterns[0]", "is not a valid regular expression")]
    [InlineData("""{"results":[{"name":"twice","pii":["email"]},{"name":"twice","pii":["phone"]}]}""", "spec.results[1].name", "names another guard")]
    [InlineData("""{"arguments":[{"name":"empty"}]}""", "spec.arguments[0]", "needs patterns, pii detectors or both")]
    [InlineData("""{"maxArgumentBytes":10}""", "spec.maxArgumentBytes", "must be from 64 bytes to 64 MiB")]
    [InlineData("""{"maxResultBytes":100000000}""", "spec.maxResultBytes", "must be from 64 bytes to 64 MiB")]
    [InlineData("""{"maxResultBytes":1024,"tools":[""]}""", "spec.tools[0]", "must be a tool name")]
    public void AnInvalidSpec_IsRefused_AtItsField(string spec, string field, string message)
    {
        var problems = Problems(spec);
        Assert.Contains(problems, problem => problem.Field == field && problem.Message.Contains(message, StringComparison.Ordinal));
    }

    private static List<ConfigError> Problems(string json)
    {
        var kind = PolicyKinds.Find(PolicyKinds.ToolGuards)!;
        var errors = new List<ConfigError>();
        using var document = JsonDocument.Parse(json);
        var spec = kind.Parse(document.RootElement, "spec", errors);
        if (errors.Count == 0)
        {
            kind.Validate(spec, "spec", SecretSources.Inline, errors);
        }

        return errors;
    }
}
