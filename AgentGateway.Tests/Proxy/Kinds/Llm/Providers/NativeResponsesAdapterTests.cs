using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Providers;

/// <summary>The Responses API passed through to a provider that serves it: where it goes, and the usage read on the way.</summary>
public sealed class NativeResponsesAdapterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyOpenAiAndAzureOpenAiProvidersThatSayTheyServeIt_GetResponsesRequestsAsSent()
    {
        var openai = new LlmProvider { Name = "openai", Kind = LlmProviderKind.Openai, Url = "https://api.openai.com/v1/", NativeResponses = true };
        var azure = new LlmProvider { Name = "azure", Kind = LlmProviderKind.AzureOpenai, Url = "https://contoso.openai.azure.com", NativeResponses = true, ApiVersion = "2025-04-01-preview" };
        Assert.Same(NativeResponsesAdapter.Instance, LlmClientApi.OpenAiResponses.AdapterFor(openai, "gpt-4.1"));
        Assert.IsType<ResponsesAdapter>(LlmClientApi.OpenAiResponses.AdapterFor(new LlmProvider { Kind = LlmProviderKind.Openai, Url = openai.Url }, "gpt-4.1"));
        // Chat clients of the same provider still get its Chat Completions.
        Assert.IsType<OpenAiChatAdapter>(LlmClientApi.OpenAiChat.AdapterFor(openai, "gpt-4.1"));

        var request = new JsonObject { ["model"] = "fast", ["input"] = "Hi", ["tools"] = new JsonArray(new JsonObject { ["type"] = "web_search" }), ["reasoning"] = new JsonObject { ["effort"] = "low" } };
        using var sent = NativeResponsesAdapter.Instance.CreateRequest(openai, request, "gpt-4.1", stream: false);
        Assert.Equal("https://api.openai.com/v1/responses", sent.RequestUri!.AbsoluteUri);
        var body = JsonNode.Parse(await sent.Content!.ReadAsStringAsync(Cancellation))!;
        Assert.Equal(("gpt-4.1", "web_search", "low"), ((string?)body["model"], (string?)body["tools"]![0]!["type"], (string?)body["reasoning"]!["effort"]));
        Assert.Equal("fast", (string?)request["model"]);

        // Azure OpenAI's v1 API: no deployment in the path and no api-version.
        using var toAzure = NativeResponsesAdapter.Instance.CreateRequest(azure, request, "gpt4o-prod", stream: true);
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/responses", toAzure.RequestUri!.AbsoluteUri);
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/responses/resp_1", NativeResponsesAdapter.Url(azure, "/resp_1").AbsoluteUri);
    }

    [Fact]
    public async Task TheUsage_IsReadFromTheAnswer_AndFromTheStreamsFinalEvent()
    {
        var answer = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(RecordedLlmProviders.RecordedFile("openai-response.json"), Cancellation))!;
        var (passed, usage) = NativeResponsesAdapter.Instance.ToAnswer(answer, "gpt-4.1", []);
        Assert.Same(answer, passed);
        Assert.Equal((19, 11, false), (usage!.Value.InputTokens, usage.Value.OutputTokens, usage.Value.Estimated));

        await using var stream = File.OpenRead(RecordedLlmProviders.RecordedFile("openai-response-stream.txt"));
        var state = new StreamState("gpt-4.1", clientWantsUsage: false);
        var events = new List<SseEvent>();
        await foreach (var sse in NativeResponsesAdapter.Instance.ToEventsAsync(SseReader.ReadAsync(stream, Cancellation), state))
        {
            events.Add(sse);
        }

        Assert.Equal(18, events.Count);
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal((12, 11), (state.Usage!.Value.InputTokens, state.Usage.Value.OutputTokens));
        Assert.Equal("Hello there! How can I assist you today?".Length, state.OutputCharacters);
        Assert.Equal("completed", (string?)state.Response!["status"]);
    }
}
