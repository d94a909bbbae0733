using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Exchange;

/// <summary>
/// OpenAI's Responses API through the gateway, with the official <c>openai</c> client: translated to Chat Completions
/// for OpenAI-compatible providers and on to Anthropic's Messages API, blocking and streamed, function tools included.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmResponsesTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Whether a chat message's content is the string <paramref name="text"/>.</summary>
    private static bool Says(JsonNode? message, string text) => message?["content"] is JsonValue value && value.TryGetValue<string>(out var content) && content == text;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheResponsesClient_ThroughAnOpenAiProvider_GetsFunctionCalls_Streams_AndSendsOutputsBack()
    {
        var report = await RunAsync(gateway.BaseUrl("openai"), "tooling");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("completed", blocking.GetProperty("status").GetString());
        Assert.StartsWith("resp_", blocking.GetProperty("id").GetString(), StringComparison.Ordinal);
        var call = blocking.GetProperty("functionCalls").EnumerateArray().Single();
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Paris", JsonNode.Parse(call.GetProperty("arguments").GetString()!)!["city"]!.GetValue<string>());
        Assert.True(blocking.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);

        // The provider got a chat request: instructions as the system message, the function tool, the token limit.
        var sent = gateway.Providers.LastBody("openai", body => body["max_completion_tokens"] is not null);
        Assert.Equal(("system", "Be brief."), ((string?)sent["messages"]![0]!["role"], (string?)sent["messages"]![0]!["content"]));
        Assert.Equal("What is the weather in Paris?", (string?)sent["messages"]![1]!["content"]);
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["function"]!["name"]);
        Assert.Equal(200, (int)sent["max_completion_tokens"]!);

        // The stream: items, argument deltas and response.completed with the usage, as the client's types expect.
        var stream = report.GetProperty("stream");
        var types = stream.GetProperty("types").EnumerateArray().Select(type => type.GetString()).ToList();
        Assert.Equal(["response.created", "response.in_progress"], types.Take(2));
        Assert.Equal("response.completed", types[^1]);
        Assert.Contains("response.function_call_arguments.delta", types);
        Assert.Equal("get_weather", stream.GetProperty("calls")[0].GetProperty("name").GetString());
        Assert.True(stream.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);

        // The follow-up's function call and output became an assistant tool call and a tool message.
        Assert.Equal("completed", report.GetProperty("followUp").GetProperty("status").GetString());
        var followUp = gateway.Providers.LastBody("openai", body => body["messages"]!.AsArray().Any(message => Says(message, "{\"temperature\": 21}")));
        var messages = followUp["messages"]!.AsArray();
        Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal((string?)messages[1]!["tool_calls"]![0]!["id"], (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("{\"temperature\": 21}", (string?)messages[2]!["content"]);

        // Named by its id, the stored response brought its conversation back: the provider got the question, the
        // function call and then the new output (the instructions are the new request's own, as OpenAI does).
        var chained = report.GetProperty("chained");
        Assert.Equal(("completed", blocking.GetProperty("id").GetString()), (chained.GetProperty("status").GetString(), chained.GetProperty("previousResponseId").GetString()));
        var resumed = gateway.Providers.LastBody("openai", body => body["messages"]!.AsArray().Any(message => Says(message, "{\"temperature\": 22}")))["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], resumed.Select(message => (string?)message!["role"]));
        Assert.Equal("What is the weather in Paris?", (string?)resumed[0]!["content"]);
        Assert.Equal((string?)resumed[1]!["tool_calls"]![0]!["id"], (string?)resumed[2]!["tool_call_id"]);
        // A streamed response is stored as well.
        Assert.Equal("completed", report.GetProperty("streamedChain").GetProperty("status").GetString());
        Assert.Contains(gateway.Providers.Requests, request => request.Body["messages"]!.AsArray().Any(message => Says(message, "And again, please."))
            && request.Body["messages"]!.AsArray().Any(message => (string?)message!["role"] == "assistant"));

        // Read back, deleted, and then gone; an unknown id is the client's error, named by its parameter.
        Assert.Equal(blocking.GetProperty("id").GetString(), report.GetProperty("retrieved").GetProperty("id").GetString());
        Assert.Contains("function_call", report.GetProperty("retrieved").GetProperty("output").EnumerateArray().Select(type => type.GetString()));
        Assert.Equal(404, report.GetProperty("deleted").GetProperty("status").GetInt32());
        var error = report.GetProperty("error");
        Assert.Equal((400, "previous_response_not_found", "previous_response_id"),
            (error.GetProperty("status").GetInt32(), error.GetProperty("code").GetString(), error.GetProperty("param").GetString()));
    }

    [Fact]
    public async Task AStoredResponse_IsTheCallersOwn_AndStoreFalseKeepsNone()
    {
        async Task<JsonNode> CreateAsync(string key, JsonObject body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl("stored") + "/responses"))
            {
                Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await Http.SendAsync(request, Cancellation);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        }

        var first = await CreateAsync("sk-alice", new JsonObject { ["model"] = "fast", ["input"] = "Hi" });
        var id = (string)first["id"]!;
        // Its input is listed; cancelling is for background responses, which the gateway does not run.
        async Task<(HttpStatusCode Status, JsonNode Body)> AskAsync(HttpMethod method, string path)
        {
            using var request = new HttpRequestMessage(method, new Uri(gateway.BaseUrl("stored") + $"/responses/{id}{path}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-alice");
            using var response = await Http.SendAsync(request, Cancellation);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!);
        }

        var (listed, inputs) = await AskAsync(HttpMethod.Get, "/input_items");
        Assert.Equal((HttpStatusCode.OK, "Hi"), (listed, (string?)inputs["data"]!.AsArray().Single()!["content"]));
        Assert.Equal(HttpStatusCode.BadRequest, (await AskAsync(HttpMethod.Post, "/cancel")).Status);
        // Another key of the route does not see it: to it, it does not exist.
        var other = await CreateAsync("sk-bob", new JsonObject { ["model"] = "fast", ["input"] = "Hi again", ["previous_response_id"] = id });
        Assert.Equal("previous_response_not_found", (string?)other["error"]!["code"]);
        var own = await CreateAsync("sk-alice", new JsonObject { ["model"] = "fast", ["input"] = "Hi again", ["previous_response_id"] = id, ["store"] = false });
        Assert.Equal(id, (string?)own["previous_response_id"]);
        // Not stored: naming it fails.
        var unstored = await CreateAsync("sk-alice", new JsonObject { ["model"] = "fast", ["input"] = "Once more", ["previous_response_id"] = (string)own["id"]! });
        Assert.Equal("previous_response_not_found", (string?)unstored["error"]!["code"]);
    }

    [Fact]
    public async Task TheResponsesClient_ThroughAnthropic_GetsTextAndToolUse_AndTheStreamsText()
    {
        var report = await RunAsync(gateway.BaseUrl("anthropic"), "claude-sonnet-4-5-20250929");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("I'll check the weather in Paris.", blocking.GetProperty("outputText").GetString());
        Assert.Equal("get_weather", blocking.GetProperty("functionCalls")[0].GetProperty("name").GetString());
        var sent = gateway.Providers.LastBody("anthropic", body => body["system"] is not null);
        Assert.Equal("Be brief.", sent["system"] is JsonValue ? (string?)sent["system"] : (string?)sent["system"]![0]!["text"]);
        Assert.Equal(200, (int)sent["max_tokens"]!);

        var stream = report.GetProperty("stream");
        Assert.Equal("Hello from Claude", stream.GetProperty("text").GetString());
        Assert.Equal("Hello from Claude", stream.GetProperty("completedText").GetString());
        Assert.Contains("response.output_text.done", stream.GetProperty("types").EnumerateArray().Select(type => type.GetString()));
    }

    [Fact]
    public async Task AnswerGuards_MaskAStreamedResponse_ItsDoneEventsIncluded()
    {
        var request = new JsonObject { ["model"] = "gpt-4o-mini", ["input"] = "Hi", ["stream"] = true };
        using var response = await new HttpClient().PostAsync(new Uri(gateway.BaseUrl("guarded") + "/responses"),
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => JsonNode.Parse(block.Split('\n').Single(line => line.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])!).ToList();

        Assert.Equal("[GREETING]", string.Concat(events.Where(data => (string?)data["type"] == "response.output_text.delta").Select(data => (string?)data["delta"])));
        Assert.Equal("[GREETING]", (string?)events.Single(data => (string?)data["type"] == "response.output_text.done")["text"]);
        Assert.DoesNotContain("Hello there", body, StringComparison.Ordinal);
    }

    private static Task<JsonElement> RunAsync(Uri baseUrl, string model) =>
        NodeScript.RunAsync(NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "llm", "responses-client.mjs"), [baseUrl.ToString(), model, "client-key"], Cancellation);
}
