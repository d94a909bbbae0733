using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Llm;

namespace AgentGateway.Tests.Proxy.Llm;

/// <summary>The rules of LLM backends (shared by both planes), and where a model's requests go.</summary>
public sealed class LlmConfigTests
{
    private static LlmBackend Parse(string json)
    {
        var errors = new List<ConfigError>();
        var llm = ProtoJson.Parse<LlmBackend>(System.Text.Json.JsonDocument.Parse(json).RootElement, "llm", errors);
        Assert.Empty(errors);
        return llm;
    }

    private static List<string> Errors(string json)
    {
        var errors = new List<ConfigError>();
        RouteValidator.Validate(Parse(json), "llm", errors);
        return [.. errors.Select(error => error.Field)];
    }

    [Fact]
    public void AWellFormedBackend_HasNoError() =>
        Assert.Empty(Errors("""
            {
              "providers": [
                {"name": "openai", "kind": "openai", "url": "https://api.openai.com/v1", "timeoutMs": 60000},
                {"name": "claude", "kind": "anthropic", "url": "https://api.anthropic.com"}
              ],
              "models": [{"name": "smart", "targets": [{"provider": "openai", "model": "gpt-4.1"}, {"provider": "claude", "priority": 1, "weight": 3}]}]
            }
            """));

    [Fact]
    public void AnApiVersion_IsForAzureProviders_AndMustBeOne()
    {
        Assert.Empty(Errors("""{"providers": [{"name": "azure", "kind": "azure-openai", "url": "https://contoso.openai.azure.com", "apiVersion": "2024-10-21"}]}"""));
        Assert.Equal(["llm.providers[0].apiVersion"], Errors("""{"providers": [{"name": "azure", "kind": "azure-openai", "url": "https://contoso.openai.azure.com", "apiVersion": "latest"}]}"""));
        Assert.Equal(["llm.providers[0].apiVersion"], Errors("""{"providers": [{"name": "openai", "kind": "openai", "url": "https://api.openai.com/v1", "apiVersion": "2024-10-21"}]}"""));
    }

    [Fact]
    public void BadProvidersAndModels_AreNamedByField()
    {
        Assert.Equal(["llm.providers"], Errors("""{"providers": []}"""));
        Assert.Equal(
            ["llm.providers[0].url", "llm.providers[1].name", "llm.providers[1].timeoutMs", "llm.passiveHealthCheck.ejectionMs", "llm.models[0].targets[0].provider", "llm.models[0].targets[0].weight", "llm.models[1].name", "llm.models[1].targets"],
            Errors("""
                {
                  "providers": [
                    {"name": "a", "kind": "openai", "url": "ftp://models.example.com"},
                    {"name": "a", "kind": "anthropic", "url": "https://api.anthropic.com", "timeoutMs": 4000000}
                  ],
                  "passiveHealthCheck": {"ejectionMs": 5},
                  "models": [
                    {"name": "m", "targets": [{"provider": "nobody", "weight": 20000}]},
                    {"name": "m"}
                  ]
                }
                """));
    }

    [Fact]
    public void AModelsTries_GoByPriority_AndByWeightWithinOne()
    {
        var llm = Parse("""
            {
              "providers": [{"name": "a", "url": "http://a"}, {"name": "b", "url": "http://b"}, {"name": "c", "url": "http://c"}],
              "models": [{"name": "m", "targets": [{"provider": "c", "priority": 2}, {"provider": "a", "weight": 9, "model": "a-model"}, {"provider": "b", "weight": 1}]}]
            }
            """);
        var random = new Random(7);
        var firsts = new Dictionary<string, int>();
        for (var index = 0; index < 1000; index++)
        {
            var tries = LlmTargets.For(llm, "m", random)!;
            Assert.Equal(3, tries.Count);
            Assert.Equal("c", tries[2].Provider.Name);
            firsts[tries[0].Provider.Name] = firsts.GetValueOrDefault(tries[0].Provider.Name) + 1;
        }

        // Weight 9 against 1: about 900 of 1000 (seeded).
        Assert.InRange(firsts["a"], 850, 950);
        Assert.Equal("a-model", LlmTargets.For(llm, "m", random)!.First(attempt => attempt.Provider.Name == "a").Model);
        Assert.Equal("m", LlmTargets.For(llm, "m", random)!.First(attempt => attempt.Provider.Name == "b").Model);
        Assert.Null(LlmTargets.For(llm, "other", random));

        var open = Parse("""{"providers": [{"name": "a", "url": "http://a"}]}""");
        Assert.Equal(("a", "any-model"), LlmTargets.For(open, "any-model", random)!.Select(attempt => (attempt.Provider.Name, attempt.Model)).Single());
    }
}
