using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Exchange;

/// <summary>
/// OpenAI's Responses API to providers that serve it themselves: requests and answers pass as they are, the provider
/// keeps the conversations while the gateway keeps whose they are, answer guards read the Responses events, and a
/// model whose targets include a translated provider has its conversations kept by the gateway.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmNativeResponsesTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheResponsesClient_ReachesTheProvidersOwnResponsesApi_AndItsStoredResponsesThroughTheGateway()
    {
        var report = await NodeScript.RunAsync(NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "llm", "responses-client.mjs"),
            [gateway.BaseUrl("native").ToString(), "tooling", "sk-alice"], Cancellation);

        // The blocking response is the provider's own: its id, its usage, the request as the client sent it.
        var blocking = report.GetProperty("blocking");
        var id = blocking.GetProperty("id").GetString()!;
        Assert.Matches("^resp_[0-9a-f]{48}$", id);
        Assert.Equal(58, blocking.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal("get_weather", blocking.GetProperty("functionCalls")[0].GetProperty("name").GetString());
        var sent = gateway.Providers.LastBody("openai-responses", body => (string?)body["instructions"] == "Be brief.");
        Assert.Equal(("gpt-4.1-tools", "What is the weather in Paris?", 200), ((string?)sent["model"], (string?)sent["input"], (int)sent["max_output_tokens"]!));
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["name"]);
        Assert.Equal("Bearer " + LlmGatewayFixture.OpenAiKey, gateway.Providers.LastHeaders("openai-responses")["authorization"]);
        // Nothing went to its Chat Completions.
        Assert.DoesNotContain(gateway.Providers.Requests, request => request.Provider == "openai");

        // The stream is the provider's events, in its order, to response.completed with its usage.
        var recorded = (await File.ReadAllTextAsync(RecordedLlmProviders.RecordedFile("openai-response-stream.txt"), Cancellation))
            .Split('\n').Where(line => line.StartsWith("event: ", StringComparison.Ordinal)).Select(line => line["event: ".Length..]);
        var stream = report.GetProperty("stream");
        Assert.Equal(recorded, stream.GetProperty("types").EnumerateArray().Select(type => type.GetString()));
        Assert.Equal("Hello there! How can I assist you today?", stream.GetProperty("text").GetString());
        Assert.Equal(23, stream.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        // Chained by id, the conversation is the provider's: it gets the id and the new input alone.
        var chained = gateway.Providers.LastBody("openai-responses", body => (string?)body["previous_response_id"] == id);
        Assert.Equal("function_call_output", (string?)chained["input"]![0]!["type"]);
        Assert.Single(chained["input"]!.AsArray());
        Assert.Equal("completed", report.GetProperty("streamedChain").GetProperty("status").GetString());

        // Read at the provider, deleted there, and then gone; an unknown id never reaches it.
        Assert.Equal(id, report.GetProperty("retrieved").GetProperty("id").GetString());
        Assert.Contains("function_call", report.GetProperty("retrieved").GetProperty("output").EnumerateArray().Select(type => type.GetString()));
        Assert.False(gateway.Providers.KeptResponses.ContainsKey(id));
        Assert.Equal(404, report.GetProperty("deleted").GetProperty("status").GetInt32());
        var error = report.GetProperty("error");
        Assert.Equal((400, "previous_response_not_found", "previous_response_id"),
            (error.GetProperty("status").GetInt32(), error.GetProperty("code").GetString(), error.GetProperty("param").GetString()));
        Assert.DoesNotContain(gateway.Providers.Requests, request => (string?)request.Body["previous_response_id"] == "resp_unknown");
    }

    [Fact]
    public async Task AResponseTheProviderKeeps_IsItsCallersAlone()
    {
        var (status, first) = await PostAsync("native", "sk-alice", new JsonObject { ["model"] = "fast", ["input"] = "Hi" });
        Assert.Equal(HttpStatusCode.OK, status);
        var id = (string)first["id"]!;
        Assert.True(gateway.Providers.KeptResponses.ContainsKey(id));

        // Another key of the route can neither continue, read nor delete it, and the provider never hears of it.
        var requests = gateway.Providers.Requests.Count;
        var (refused, other) = await PostAsync("native", "sk-bob", new JsonObject { ["model"] = "fast", ["input"] = "Hi again", ["previous_response_id"] = id });
        Assert.Equal((HttpStatusCode.BadRequest, "previous_response_not_found"), (refused, (string?)other["error"]!["code"]));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"native/v1/responses/{id}", "sk-bob")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"native/v1/responses/{id}", "sk-bob")).Status);
        Assert.Equal(requests, gateway.Providers.Requests.Count);
        Assert.True(gateway.Providers.KeptResponses.ContainsKey(id));

        // Its caller continues it at the provider and reads it there.
        var (continued, next) = await PostAsync("native", "sk-alice", new JsonObject { ["model"] = "fast", ["input"] = "Hi again", ["previous_response_id"] = id });
        Assert.Equal(HttpStatusCode.OK, continued);
        Assert.NotEqual(id, (string?)next["id"]);
        var (read, body) = await SendAsync(HttpMethod.Get, $"native/v1/responses/{id}", "sk-alice");
        Assert.Equal((HttpStatusCode.OK, id), (read, (string?)body["id"]));
        var (listed, inputs) = await SendAsync(HttpMethod.Get, $"native/v1/responses/{id}/input_items", "sk-alice");
        Assert.Equal((HttpStatusCode.OK, "Hi"), (listed, (string?)inputs["data"]![0]!["content"]));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"native/v1/responses/{id}/input_items", "sk-bob")).Status);
    }

    [Fact]
    public async Task WhatTheGatewayCouldNotAccountForOrGuard_IsRefused_BeforeAnyProviderHearsOfIt()
    {
        var requests = gateway.Providers.Requests.Count;
        foreach (var (body, said) in new (JsonObject Body, string Said)[]
        {
            (new JsonObject { ["model"] = "fast", ["input"] = "Hi", ["background"] = true }, "background"),
            (new JsonObject { ["model"] = "fast", ["input"] = "Hi", ["conversation"] = "conv_123" }, "conversation"),
            (new JsonObject { ["model"] = "fast", ["input"] = new JsonArray(new JsonObject { ["type"] = "item_reference", ["id"] = "msg_of_someone_else" }) }, "item_reference"),
        })
        {
            var (status, refused) = await PostAsync("native", "sk-alice", body);
            Assert.Equal((HttpStatusCode.BadRequest, "unsupported_parameter"), (status, (string?)refused["error"]!["code"]));
            Assert.StartsWith(said, (string?)refused["error"]!["message"], StringComparison.Ordinal);
        }

        Assert.Equal(requests, gateway.Providers.Requests.Count);
    }

    [Fact]
    public async Task AModelWithATranslatedTarget_KeepsItsConversationsInTheGateway_EvenWhenTheNativeProviderAnswers()
    {
        var (status, first) = await PostAsync("native-mixed", null, new JsonObject { ["model"] = "smart", ["input"] = "Hi, it is Ada." });
        Assert.Equal(HttpStatusCode.OK, status);
        var id = (string)first["id"]!;

        var (continued, next) = await PostAsync("native-mixed", null, new JsonObject { ["model"] = "smart", ["input"] = "What is my name?", ["previous_response_id"] = id });
        Assert.Equal(HttpStatusCode.OK, continued);
        Assert.Equal(id, (string?)next["previous_response_id"]);

        // The provider got the whole conversation as input, not an id it could not know from the other target.
        var sent = gateway.Providers.LastBody("openai-responses", body => body["input"]?.ToJsonString().Contains("What is my name?", StringComparison.Ordinal) == true);
        Assert.Null(sent["previous_response_id"]);
        var input = sent["input"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], input.Select(item => (string?)item!["role"]));
        Assert.Equal("Hi, it is Ada.", (string?)input[0]!["content"]);
        Assert.Equal("Hello there! How can I assist you today?", (string?)input[1]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task AnswerGuards_MaskTheProvidersResponsesEvents_AndEveryEventThatRepeatsTheText()
    {
        var events = await StreamAsync("native-guarded", "gpt-4.1");
        const string Masked = "[GREETING]! How can I [GREETING] today?";
        AssertTextSaid(events, Masked);
        Assert.DoesNotContain(events, data => data.ToJsonString().Contains("Hello there", StringComparison.Ordinal));

        // A blocking answer is masked too, and read back as it was sent (the provider's copy is not).
        var (status, answer) = await PostAsync("native-guarded", null, new JsonObject { ["model"] = "gpt-4.1", ["input"] = "Hi" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Masked, (string?)answer["output"]![0]!["content"]![0]!["text"]);
        var (read, stored) = await SendAsync(HttpMethod.Get, $"native-guarded/v1/responses/{answer["id"]}", null);
        Assert.Equal((HttpStatusCode.OK, Masked), (read, (string?)stored["output"]![0]!["content"]![0]!["text"]));
        Assert.Contains("Hello there", gateway.Providers.KeptResponses[(string)answer["id"]!], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejectingAnswerGuard_EndsTheProvidersStream_WithAResponsesErrorEvent_BeforeTheTextItMatched()
    {
        var events = await StreamAsync("native-strict", "gpt-4.1");
        var error = events[^1];
        Assert.Equal(("error", "guardrail_violation", "The answer offered help."), ((string?)error["type"], (string?)error["code"], (string?)error["message"]));
        Assert.DoesNotContain(events, data => (string?)data["type"] is "response.completed" or "response.output_text.done");
        Assert.DoesNotContain(events, data => data.ToJsonString().Contains("assist you", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(data => (int)data["sequence_number"]!));

        var (status, refused) = await PostAsync("native-strict", null, new JsonObject { ["model"] = "gpt-4.1", ["input"] = "Hi" });
        Assert.Equal((HttpStatusCode.BadRequest, "guardrail_violation"), (status, (string?)refused["error"]!["code"]));
    }

    [Fact]
    public async Task AnswerWebhooks_ChangeTheProvidersResponsesEvents_AsTheyPass()
    {
        var asked = gateway.Providers.Moderations.Count;
        var events = await StreamAsync("native-moderated", "gpt-4.1-travel");
        AssertTextSaid(events, "[GREETING]! How can I assist you in [CITY]?");
        Assert.True(gateway.Providers.Moderations.Count > asked, "the webhook is asked about the text");
    }

    [Fact]
    public async Task AnAzureOpenAiProvider_ServesTheResponsesApiAtItsV1Endpoint()
    {
        var (status, answer) = await PostAsync("azure-native", null, new JsonObject { ["model"] = "fast", ["input"] = "Hi" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("response", (string?)answer["object"]);
        var sent = gateway.Providers.Requests.Last(request => request.Provider == "azure-responses");
        Assert.Equal(("gpt4o-prod", "azure-key"), ((string?)sent.Body["model"], sent.Headers["api-key"]));
    }

    /// <summary>
    /// Whether the stream's deltas say <paramref name="text"/>, and so do the events that repeat it whole (the text's
    /// done event, the content part's, the output item's and the final response), numbered in order.
    /// </summary>
    private static void AssertTextSaid(List<JsonNode> events, string text)
    {
        JsonNode Of(string type) => events.Single(data => (string?)data["type"] == type);
        Assert.Equal(text, string.Concat(events.Where(data => (string?)data["type"] == "response.output_text.delta").Select(data => (string?)data["delta"])));
        Assert.Equal(text, (string?)Of("response.output_text.done")["text"]);
        Assert.Equal(text, (string?)Of("response.content_part.done")["part"]!["text"]);
        Assert.Equal(text, (string?)Of("response.output_item.done")["item"]!["content"]![0]!["text"]);
        Assert.Equal(text, (string?)Of("response.completed")["response"]!["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(data => (int)data["sequence_number"]!));
    }

    private async Task<List<JsonNode>> StreamAsync(string route, string model)
    {
        var request = new JsonObject { ["model"] = model, ["input"] = "Hi", ["stream"] = true };
        using var response = await Http.PostAsync(new Uri(gateway.BaseUrl(route) + "/responses"), new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        return [.. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => JsonNode.Parse(block.Split('\n').Single(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])!)];
    }

    private Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string route, string? key, JsonObject body) =>
        SendAsync(HttpMethod.Post, $"{route}/v1/responses", key, body);

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? key, JsonObject? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(gateway.Proxy.BaseAddress, $"/acme/{path}"));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await Http.SendAsync(request, Cancellation);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!);
    }
}
