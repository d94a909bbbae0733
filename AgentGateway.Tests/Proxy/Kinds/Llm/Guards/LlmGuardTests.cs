using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Pipeline.Guards;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Guards;

/// <summary>
/// An LLM route's guards end to end, from the standalone YAML: prompts masked and rejected before a provider sees
/// them, answers masked and rejected, streamed ones included, and a moderation webhook asked about every prompt.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmGuardTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PersonalDataInAPrompt_IsMasked_BeforeTheProviderSeesIt_AndTheAnswerIsMaskedToo()
    {
        var chat = Chat("gpt-4o-mini", "Mail bob.smith@example.com or call +1 415 555 0100 about order 12345.");
        chat["messages"]!.AsArray().Insert(0, new JsonObject
        {
            ["role"] = "system",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "The operator is ops@example.org." }),
        });

        using var response = await PostAsync("guarded", chat);
        var answer = await ReadJsonAsync(response, HttpStatusCode.OK);

        var sent = gateway.Providers.LastBody("openai", body => body["messages"]!.ToJsonString().Contains("order 12345", StringComparison.Ordinal));
        Assert.Equal("Mail [EMAIL] or call [PHONE] about order 12345.", (string?)sent["messages"]![1]!["content"]);
        Assert.Equal("The operator is [EMAIL].", (string?)sent["messages"]![0]!["content"]![0]!["text"]);
        // The provider's "Hello! How can I assist you today?" reaches the client masked.
        Assert.Equal("Hello! How can I [GREETING] today?", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        // The webhook that is down fails open; the moderation service was asked, with its own key, about the masked texts.
        var moderation = gateway.Providers.Moderations.Last(call => call.Body["texts"]!.ToJsonString().Contains("order 12345", StringComparison.Ordinal));
        Assert.Equal("moderation-key", moderation.Headers["x-moderation-key"]);
        Assert.Equal(("prompt", "acme/guarded", "gpt-4o-mini"), ((string?)moderation.Body["phase"], (string?)moderation.Body["route"], (string?)moderation.Body["model"]));
        Assert.DoesNotContain("bob.smith", moderation.Body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACardNumberInAPrompt_IsRejected_InTheClientsErrorShape_AndNoProviderIsAsked()
    {
        var before = gateway.Providers.Requests.Count;
        using (var openAi = await PostAsync("guarded", Chat("gpt-4o-mini", "My card is 4111 1111 1111 1111, exp 12/29.")))
        {
            var error = (await ReadJsonAsync(openAi, HttpStatusCode.BadRequest)).GetProperty("error");
            Assert.Equal(("invalid_request_error", "guardrail_violation"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
            Assert.Equal("Guard 'no-cards' rejected the prompt: it contains a payment card number.", error.GetProperty("message").GetString());
        }

        var messages = new JsonObject
        {
            ["model"] = "gpt-4o-mini",
            ["max_tokens"] = 100,
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Charge 5500-0000-0000-0004 please" }),
            }),
        };
        using (var anthropic = await PostAsync("guarded", messages, "/messages"))
        {
            var body = await ReadJsonAsync(anthropic, HttpStatusCode.BadRequest);
            Assert.Equal("error", body.GetProperty("type").GetString());
            Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        }

        // A number that fails the Luhn check is no card number: it goes through.
        using (var notACard = await PostAsync("guarded", Chat("gpt-4o-mini", "Ticket 4111 1111 1111 1112 is open.")))
        {
            await ReadJsonAsync(notACard, HttpStatusCode.OK);
        }

        Assert.Equal(before + 1, gateway.Providers.Requests.Count);
    }

    [Fact]
    public async Task AStreamedAnswer_IsMaskedAcrossItsDeltas()
    {
        var chat = Chat("gpt-4o-mini", "Hi");
        chat["stream"] = true;
        using var response = await PostAsync("guarded", chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEventsAsync(response);

        // "Hello" and " there" came as two deltas; the pattern spanning them is masked whole.
        var text = string.Concat(events.Where(sse => sse.Data != "[DONE]")
            .Select(sse => JsonNode.Parse(sse.Data)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>()));
        Assert.Equal("[GREETING]", text);
        Assert.Equal("[DONE]", events[^1].Data);
        Assert.Equal("stop", events.Select(sse => sse.Data == "[DONE]" ? null : (string?)JsonNode.Parse(sse.Data)!["choices"]?.AsArray().FirstOrDefault()?["finish_reason"]).Last(reason => reason is not null));
    }

    [Fact]
    public async Task AStreamedAnswerARejectingGuardMatches_EndsWithAnErrorEvent_BeforeTheTextIsSent()
    {
        var messages = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 100,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        };
        using var response = await PostAsync("guarded-claude", messages, "/messages");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEventsAsync(response);

        var error = events.Single(sse => sse.Name == "error");
        Assert.Equal(events[^1], error);
        Assert.Equal("The answer named its model.", JsonNode.Parse(error.Data)!["error"]!["message"]!.GetValue<string>());
        // Neither "Hello" (held back) nor "from Claude" reached the client.
        var sent = string.Concat(events.Where(sse => sse.Name == "content_block_delta").Select(sse => (string?)JsonNode.Parse(sse.Data)!["delta"]!["text"]));
        Assert.Equal(string.Empty, sent);
        Assert.DoesNotContain(events, sse => sse.Name == "message_stop");
    }

    [Fact]
    public async Task ABlockingAnswerTranslatedFromAnthropic_IsMasked()
    {
        using var response = await PostAsync("guarded-claude", Chat("claude-sonnet-4-5", "Weather?"));
        var answer = await ReadJsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("I'll check the weather in [CITY].", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        // The tool call's arguments are guarded too, their JSON intact.
        var arguments = JsonNode.Parse(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!)!;
        Assert.Equal(("[CITY]", "celsius"), ((string?)arguments["city"], (string?)arguments["unit"]));
    }

    [Fact]
    public async Task ToolCalls_AreGuarded_InPromptsAndInStreamedAnswers_ForChatAndAnthropicClients()
    {
        // A conversation's earlier tool call carries an address: the provider gets it masked, inside valid arguments.
        var chat = Chat("gpt-4.1-tools", "Send it.");
        chat["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "assistant",
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_1", ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "send_mail", ["arguments"] = """{"to": ["bob.smith@example.com"], "body": "Hi"}""" },
            }),
        });
        chat["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "sent" });
        chat["stream"] = true;
        using var response = await PostAsync("guarded-tools", chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEventsAsync(response);
        var sentArguments = JsonNode.Parse((string)gateway.Providers.LastBody("openai", body => body["messages"]!.ToJsonString().Contains("send_mail", StringComparison.Ordinal))
            ["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"]!)!;
        Assert.Equal(("[EMAIL]", "Hi"), ((string?)sentArguments["to"]![0], (string?)sentArguments["body"]));

        // The streamed answer's tool call: its arguments, masked across their deltas.
        var calls = events.Where(sse => sse.Data != "[DONE]").SelectMany(sse => JsonNode.Parse(sse.Data)!["choices"]?.AsArray().FirstOrDefault()?["delta"]?["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.Equal("call_Q3vTgH1nB2cD4eF5gH6iJ7kL", (string?)calls[0]!["id"]);
        Assert.Equal("""{"city":"[CITY]"}""", string.Concat(calls.Select(call => (string?)call!["function"]?["arguments"])));

        // An Anthropic client's stream of the same: the tool use's input JSON, masked.
        using var messages = await PostAsync("guarded-tools", new JsonObject
        {
            ["model"] = "gpt-4.1-tools",
            ["max_tokens"] = 100,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" }),
        }, "/messages");
        var anthropic = await ReadEventsAsync(messages);
        var input = string.Concat(anthropic.Where(sse => sse.Name == "content_block_delta").Select(sse => JsonNode.Parse(sse.Data)!["delta"]!)
            .Where(delta => (string?)delta["type"] == "input_json_delta").Select(delta => (string?)delta["partial_json"]));
        Assert.Equal("[CITY]", (string?)JsonNode.Parse(input)!["city"]);
    }

    [Fact]
    public async Task TheModerationWebhook_RejectsAndMasks_AndOneThatIsDown_FailsClosed()
    {
        using (var rejected = await PostAsync("guarded", Chat("gpt-4o-mini", "Tell me about the forbidden topic.")))
        {
            var error = (await ReadJsonAsync(rejected, HttpStatusCode.BadRequest)).GetProperty("error");
            Assert.Equal("The moderation service does not allow this topic.", error.GetProperty("message").GetString());
        }

        using (var masked = await PostAsync("guarded", Chat("gpt-4o-mini", "Status of secret-project, please.")))
        {
            await ReadJsonAsync(masked, HttpStatusCode.OK);
        }

        var sent = gateway.Providers.LastBody("openai", body => body["messages"]!.ToJsonString().Contains("Status of", StringComparison.Ordinal));
        Assert.Equal("Status of [PROJECT], please.", (string?)sent["messages"]![0]!["content"]);

        using var strict = await PostAsync("moderated-strict", Chat("gpt-4o-mini", "Hi"));
        var unavailable = (await ReadJsonAsync(strict, HttpStatusCode.ServiceUnavailable)).GetProperty("error");
        Assert.Equal("guardrail_violation", unavailable.GetProperty("code").GetString());
        Assert.Contains("could not check the prompt", unavailable.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerWebhook_IsAskedAboutAStreamInParts_EachSentAsItLetsItThrough_UntilItRejectsOne()
    {
        var chat = Chat("gpt-4o-long", "Weather in Paris?");
        chat["stream"] = true;
        using var response = await PostAsync("moderated-answers", chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEventsAsync(response);

        // Parts of at least 30 characters: the first masked, the second allowed, the last ("... tonight.") rejected.
        var answers = gateway.Providers.Moderations.Where(call => (string?)call.Body["phase"] == "answer" && (string?)call.Body["model"] == "gpt-4o-long")
            .Select(call => (string?)call.Body["texts"]![0]).ToList();
        Assert.Equal(["The weather in Paris is mild today, with a light", " breeze from the west. Take a jacket if you", " go out tonight."], answers);
        var chunks = events.Where(sse => sse.Data != "[DONE]").Select(sse => JsonNode.Parse(sse.Data)!).ToList();
        var text = string.Concat(chunks.Select(chunk => (string?)chunk["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]));
        Assert.Equal("The weather in [CITY] is mild today, with a light breeze from the west. Take a jacket if you", text);
        Assert.Equal(("guardrail_violation", "The answer makes plans."), ((string?)chunks[^1]["error"]!["code"], (string?)chunks[^1]["error"]!["message"]));
        Assert.DoesNotContain(chunks, chunk => (string?)chunk["choices"]?.AsArray().FirstOrDefault()?["finish_reason"] == "stop");
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public async Task AnAnswerWebhook_MasksAnAnthropicStream_AndABlockingAnswer()
    {
        var messages = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 100,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        };
        using var response = await PostAsync("moderated-answers", messages, "/messages");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ReadEventsAsync(response);
        var sent = string.Concat(events.Where(sse => sse.Name == "content_block_delta").Select(sse => (string?)JsonNode.Parse(sse.Data)!["delta"]!["text"]));
        Assert.Equal("Hello from [MODEL]", sent);
        // The text went before its block's end, and the stream ended as the provider's did.
        Assert.True(events.FindIndex(sse => sse.Name == "content_block_delta") < events.FindIndex(sse => sse.Name == "content_block_stop"));
        Assert.Equal("message_stop", events[^1].Name);

        using var blocking = await PostAsync("moderated-answers", Chat("claude-sonnet-4-5", "Weather?"));
        var answer = await ReadJsonAsync(blocking, HttpStatusCode.OK);
        Assert.Equal("I'll check the weather in [CITY].", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    private static JsonObject Chat(string model, string text) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
    };

    private async Task<HttpResponseMessage> PostAsync(string route, JsonObject body, string path = "/chat/completions") =>
        await Http.PostAsync(new Uri(gateway.BaseUrl(route) + path), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), Cancellation);

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<List<(string? Name, string Data)>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string? Name, string Data)>();
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var name = lines.FirstOrDefault(line => line.StartsWith("event: ", StringComparison.Ordinal))?["event: ".Length..];
            var data = string.Join("\n", lines.Where(line => line.StartsWith("data: ", StringComparison.Ordinal)).Select(line => line["data: ".Length..]));
            events.Add((name, data));
        }

        return events;
    }
}
