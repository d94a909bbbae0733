using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Exchange;
using AgentGateway.Proxy.Kinds.Llm.Providers;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

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
    public void BedrockAndVertexAiProviders_AreKinds_ReachedWithTheirOwnApis()
    {
        var llm = Parse("""
            {
              "providers": [
                {"name": "bedrock", "kind": "bedrock", "url": "https://bedrock-runtime.us-east-1.amazonaws.com"},
                {"name": "vertex", "kind": "vertex-ai", "url": "https://us-central1-aiplatform.googleapis.com/v1/projects/demo/locations/us-central1"}
              ]
            }
            """);
        Assert.Empty(Errors(llm.ToString()));
        Assert.Equal([LlmProviderKind.Bedrock, LlmProviderKind.VertexAi], llm.Providers.Select(provider => provider.Kind));
        Assert.Equal(ProviderApi.Converse, ProviderAdapter.ApiOf(llm.Providers[0], "anthropic.claude-3-5-haiku-20241022-v1:0"));
        Assert.Equal(ProviderApi.Anthropic, ProviderAdapter.ApiOf(llm.Providers[1], "claude-sonnet-4-5@20250929"));
        Assert.Equal(ProviderApi.Gemini, ProviderAdapter.ApiOf(llm.Providers[1], "gemini-2.5-pro"));
        Assert.Equal(
            new Uri("https://us-central1-aiplatform.googleapis.com/v1/projects/demo/locations/us-central1/publishers/anthropic/models/claude-opus-4-1%40001:rawPredict"),
            ProviderAdapter.VertexUrl(llm.Providers[1], "anthropic/claude-opus-4-1@001", "rawPredict"));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5@20250929", "anthropic", "claude-sonnet-4-5@20250929")]
    [InlineData("anthropic/claude-opus-4-1", "anthropic", "claude-opus-4-1")]
    [InlineData("gemini-2.5-pro", "google", "gemini-2.5-pro")]
    [InlineData("google/gemini-2.0-flash", "google", "gemini-2.0-flash")]
    [InlineData("meta/llama-4-maverick", "meta", "llama-4-maverick")]
    [InlineData("publishers/anthropic/models/claude-opus-4-1", "anthropic", "claude-opus-4-1")]
    public void AVertexModel_NamesItsPublisher_OrIsGooglesUnlessClaude(string model, string publisher, string name) =>
        Assert.Equal((publisher, name), ProviderAdapter.VertexModel(model));

    [Fact]
    public void AGoogleAccessTokensScopes_MustBeScopes()
    {
        var errors = new List<ConfigError>();
        var auth = ProtoJson.Parse<BackendAuth>(System.Text.Json.JsonDocument.Parse("""{"gcpAccessToken": {"scopes": ["https://www.googleapis.com/auth/cloud-platform", "two scopes"], "proxyIdentity": true}}""").RootElement, "auth", errors);
        AgentGateway.Contracts.Policies.PolicyValidator.Validate(auth, "auth", AgentGateway.Contracts.Policies.SecretSources.Inline, errors);
        Assert.Equal(["auth.gcpAccessToken.scopes[1]"], errors.Select(error => error.Field));
    }

    [Fact]
    public void AnApiVersion_IsForAzureProviders_AndMustBeOne()
    {
        Assert.Empty(Errors("""{"providers": [{"name": "azure", "kind": "azure-openai", "url": "https://contoso.openai.azure.com", "apiVersion": "2024-10-21"}]}"""));
        Assert.Equal(["llm.providers[0].apiVersion"], Errors("""{"providers": [{"name": "azure", "kind": "azure-openai", "url": "https://contoso.openai.azure.com", "apiVersion": "latest"}]}"""));
        Assert.Equal(["llm.providers[0].apiVersion"], Errors("""{"providers": [{"name": "openai", "kind": "openai", "url": "https://api.openai.com/v1", "apiVersion": "2024-10-21"}]}"""));
    }

    [Fact]
    public void NativeResponses_AreForOpenAiAndAzureOpenAiProviders()
    {
        Assert.Empty(Errors("""{"providers": [{"name": "openai", "kind": "openai", "url": "https://api.openai.com/v1", "nativeResponses": true}, {"name": "azure", "kind": "azure-openai", "url": "https://contoso.openai.azure.com", "nativeResponses": true}]}"""));
        Assert.Equal(["llm.providers[0].nativeResponses"], Errors("""{"providers": [{"name": "claude", "kind": "anthropic", "url": "https://api.anthropic.com", "nativeResponses": true}]}"""));
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
