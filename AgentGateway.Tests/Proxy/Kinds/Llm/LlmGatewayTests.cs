using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

/// <summary>
/// LLM routes end to end: the official OpenAI client (npm) in front of the gateway, providers answering with
/// recorded responses of the real APIs behind it, and raw requests for translation details and bad input.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmGatewayTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAiClient_ThroughAnOpenAiProvider_GetsTheAnswerAndStream_WithTheAliasMapped()
    {
        var report = await RunNodeClientAsync("openai-client.mjs", gateway.BaseUrl("openai"), "fast", "client-key");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("Hello! How can I assist you today?", blocking.GetProperty("content").GetString());
        Assert.Equal(19, blocking.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        // Fields the gateway does not know pass both ways untouched.
        Assert.Equal("fp_provider_extension", blocking.GetProperty("systemFingerprint").GetString());
        var sent = gateway.Providers.LastBody("openai", body => body["stream"] is null);
        Assert.Equal("gpt-4o-mini", (string?)sent["model"]);
        Assert.Equal("kept", (string?)sent["custom_field"]);
        Assert.Equal("Bearer " + LlmGatewayFixture.OpenAiKey, gateway.Providers.LastHeaders("openai")["authorization"]);
        Assert.Equal("openai", gateway.Providers.LastHeaders("openai")["x-gateway-route"]);

        var stream = report.GetProperty("stream");
        Assert.Equal("Hello there", stream.GetProperty("content").GetString());
        Assert.Equal("stop", stream.GetProperty("finish").GetString());
        Assert.Equal(11, stream.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        Assert.Equal(["fast", "tooling"], report.GetProperty("models").EnumerateArray().Select(model => model.GetString()));
        var error = report.GetProperty("error");
        Assert.Equal(404, error.GetProperty("status").GetInt32());
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OpenAiClient_ThroughAnthropic_IsTranslatedBothWays_ToolCallsUsageAndStreamIncluded()
    {
        var report = await RunNodeClientAsync("openai-client.mjs", gateway.BaseUrl("anthropic"), "claude-sonnet-4-5-20250929", "client-key");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("I'll check the weather in Paris.", blocking.GetProperty("content").GetString());
        Assert.Equal("tool_calls", blocking.GetProperty("finish").GetString());
        var call = blocking.GetProperty("toolCalls")[0];
        Assert.Equal(("toolu_01A09q90qw90lq917835lq9", "get_weather"), (call.GetProperty("id").GetString(), call.GetProperty("name").GetString()));
        Assert.Equal("Paris", JsonNode.Parse(call.GetProperty("arguments").GetString()!)!["city"]!.GetValue<string>());
        // Cache reads count as input.
        Assert.Equal((512, 57), (blocking.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), blocking.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));

        var sent = gateway.Providers.LastBody("anthropic", body => body["stream"] is null && (string?)body["model"] == "claude-sonnet-4-5-20250929");
        Assert.Equal("Be brief.", (string?)sent["system"]);
        Assert.Equal(4096, (int)sent["max_tokens"]!);
        var message = sent["messages"]!.AsArray().Single()!;
        Assert.Equal("user", (string?)message["role"]);
        Assert.Equal("What is the weather in Paris?", (string?)message["content"]![0]!["text"]);
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["name"]);
        Assert.Equal("city", (string?)sent["tools"]![0]!["input_schema"]!["required"]![0]);
        Assert.Equal("kept", (string?)sent["custom_field"]);
        var headers = gateway.Providers.LastHeaders("anthropic");
        Assert.Equal(LlmGatewayFixture.AnthropicKey, headers["x-api-key"]);
        Assert.Equal("2023-06-01", headers["anthropic-version"]);

        var stream = report.GetProperty("stream");
        Assert.Equal("Hello from Claude", stream.GetProperty("content").GetString());
        Assert.Equal("tool_calls", stream.GetProperty("finish").GetString());
        var streamedCall = stream.GetProperty("toolCalls")[0];
        Assert.Equal("get_weather", streamedCall.GetProperty("name").GetString());
        Assert.Equal("Paris", JsonNode.Parse(streamedCall.GetProperty("arguments").GetString()!)!["city"]!.GetValue<string>());
        Assert.Equal((25, 15), (stream.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));

        Assert.Equal(["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"], report.GetProperty("models").EnumerateArray().Select(model => model.GetString()));
        // Anthropic's own error, in OpenAI's shape, with its status.
        var error = report.GetProperty("error");
        Assert.Equal((404, "not_found_error"), (error.GetProperty("status").GetInt32(), error.GetProperty("type").GetString()));
        Assert.Contains("model: no-such-model", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicClient_ThroughAnthropic_PassesThrough_AndItsVersionHeaderGoesAlong()
    {
        var report = await RunNodeClientAsync("anthropic-client.mjs", gateway.AnthropicBaseUrl("anthropic"), "claude-sonnet-4-5-20250929", "client-key");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("I'll check the weather in Paris.", blocking.GetProperty("text").GetString());
        Assert.Equal("tool_use", blocking.GetProperty("stopReason").GetString());
        Assert.Equal(100, blocking.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32());
        var sent = gateway.Providers.LastBody("anthropic", body => body["stream"] is null && (string?)body["model"] == "claude-sonnet-4-5-20250929");
        Assert.Equal(256, (int)sent["max_tokens"]!);
        Assert.Equal(LlmGatewayFixture.AnthropicKey, gateway.Providers.LastHeaders("anthropic")["x-api-key"]);

        var stream = report.GetProperty("stream");
        Assert.Equal("Hello from Claude", stream.GetProperty("text").GetString());
        Assert.Equal("Paris", stream.GetProperty("toolUses")[0].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(15, stream.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Contains("content_block_delta", stream.GetProperty("events").EnumerateArray().Select(type => type.GetString()));

        var error = report.GetProperty("error");
        Assert.Equal((404, "not_found_error"), (error.GetProperty("status").GetInt32(), error.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task AnAnthropicClientsVersionAndBetaHeaders_ReachAnAnthropicProvider()
    {
        var message = new JsonObject
        {
            ["model"] = "claude-beta-check",
            ["max_tokens"] = 16,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.AnthropicBaseUrl("anthropic") + "/v1/messages"))
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("anthropic-version", "2024-01-01");
        request.Headers.Add("anthropic-beta", "context-management-2025-06-27");

        using var response = await Http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = gateway.Providers.LastHeaders("anthropic");
        Assert.Equal(("2024-01-01", "context-management-2025-06-27"), (headers["anthropic-version"], headers["anthropic-beta"]));
    }

    [Fact]
    public async Task AnthropicClient_ThroughAnOpenAiProvider_IsTranslatedBothWays_ToolUseAndStreamIncluded()
    {
        var report = await RunNodeClientAsync("anthropic-client.mjs", gateway.AnthropicBaseUrl("openai"), "tooling", "client-key");

        var blocking = report.GetProperty("blocking");
        Assert.Equal("tool_use", blocking.GetProperty("stopReason").GetString());
        var toolUse = blocking.GetProperty("toolUses")[0];
        Assert.Equal(("call_Fh8SYw0qUuUaQjHZpAeMnXyW", "get_weather", "Paris"),
            (toolUse.GetProperty("id").GetString(), toolUse.GetProperty("name").GetString(), toolUse.GetProperty("input").GetProperty("city").GetString()));
        Assert.Equal((82, 17), (blocking.GetProperty("usage").GetProperty("input_tokens").GetInt32(), blocking.GetProperty("usage").GetProperty("output_tokens").GetInt32()));

        var sent = gateway.Providers.LastBody("openai", body => (string?)body["model"] == "gpt-4.1-tools" && body["stream"] is null);
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(("system", "Be brief."), ((string?)messages[0]!["role"], (string?)messages[0]!["content"]));
        Assert.Equal(("user", "What is the weather in Paris?"), ((string?)messages[1]!["role"], (string?)messages[1]!["content"]));
        Assert.Equal(256, (int)sent["max_tokens"]!);
        Assert.Equal(("function", "get_weather", "city"),
            ((string?)sent["tools"]![0]!["type"], (string?)sent["tools"]![0]!["function"]!["name"], (string?)sent["tools"]![0]!["function"]!["parameters"]!["required"]![0]));

        var stream = report.GetProperty("stream");
        Assert.Equal("tool_use", stream.GetProperty("stopReason").GetString());
        Assert.Equal("Paris", stream.GetProperty("toolUses")[0].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(17, stream.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            stream.GetProperty("events").EnumerateArray().Select(type => type.GetString()));

        // The gateway's own errors on this API are Anthropic's shape.
        var error = report.GetProperty("error");
        Assert.Equal((404, "not_found_error"), (error.GetProperty("status").GetInt32(), error.GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("openai", "fast", "Hello! How can I assist you today?", "Hello there")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "I'll check the weather in Paris.", "Hello from Claude")]
    public async Task OpenAiDotNetClient_GetsAnswersAndStreams(string route, string model, string answer, string streamed)
    {
        var client = new OpenAI.Chat.ChatClient(model, new System.ClientModel.ApiKeyCredential("client-key"),
            new OpenAI.OpenAIClientOptions { Endpoint = gateway.BaseUrl(route), NetworkTimeout = TimeSpan.FromSeconds(30) });
        OpenAI.Chat.ChatMessage[] messages = [new OpenAI.Chat.SystemChatMessage("Be brief."), new OpenAI.Chat.UserChatMessage("Hi")];

        var completion = (await client.CompleteChatAsync(messages, cancellationToken: Cancellation)).Value;
        Assert.Equal(answer, completion.Content[0].Text);
        Assert.True(completion.Usage.InputTokenCount > 0);

        var text = new StringBuilder();
        OpenAI.Chat.ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, cancellationToken: Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            usage ??= update.Usage;
        }

        Assert.Equal(streamed, text.ToString());
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task AConversationWithToolResultsAndImages_BecomesAnthropicBlocks()
    {
        var chat = new JsonObject
        {
            ["model"] = "claude-haiku-4-5",
            ["max_completion_tokens"] = 300,
            ["stop"] = "END",
            ["tool_choice"] = "required",
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "developer", ["content"] = "Use tools." },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = "Weather here?" },
                        new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64,iVBORw0KGgo=" } }),
                },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(
                        new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "locate", ["arguments"] = "{}" } },
                        new JsonObject { ["id"] = "call_2", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" } }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "Paris" },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_2", ["content"] = "Sunny" }),
        };

        using var response = await PostAsync("anthropic", chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = gateway.Providers.LastBody("anthropic", body => (string?)body["model"] == "claude-haiku-4-5");
        Assert.Equal(("Use tools.", 300, "END", "any"), ((string?)sent["system"], (int)sent["max_tokens"]!, (string?)sent["stop_sequences"]![0], (string?)sent["tool_choice"]!["type"]));
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(message => (string?)message!["role"]));
        var image = messages[0]!["content"]![1]!;
        Assert.Equal(("image", "base64", "image/png", "iVBORw0KGgo="), ((string?)image["type"], (string?)image["source"]!["type"], (string?)image["source"]!["media_type"], (string?)image["source"]!["data"]));
        var toolUse = messages[1]!["content"]![1]!;
        Assert.Equal(("tool_use", "call_2", "Paris"), ((string?)toolUse["type"], (string?)toolUse["id"], (string?)toolUse["input"]!["city"]));
        // The two tool results are one user message, as Anthropic wants roles to alternate.
        Assert.Equal(["call_1", "call_2"], messages[2]!["content"]!.AsArray().Select(block => (string?)block!["tool_use_id"]));
        Assert.Equal("Sunny", (string?)messages[2]!["content"]![1]!["content"]);
    }

    [Fact]
    public async Task AFailingProvider_FailsOverToTheNextPriority_AndWhenAllFail_TheLastErrorComesBack()
    {
        gateway.Providers.FailNext("openai", 1, StatusCodes.Status503ServiceUnavailable);
        using (var response = await PostAsync("failover", Chat("smart")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var completion = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
            Assert.Equal("I'll check the weather in Paris.", (string?)completion["choices"]![0]!["message"]!["content"]);
            Assert.Equal("claude-sonnet-4-5", (string?)gateway.Providers.LastBody("anthropic", body => (string?)body["model"] == "claude-sonnet-4-5")["model"]);
        }

        gateway.Providers.FailNext("openai", 1, StatusCodes.Status503ServiceUnavailable);
        gateway.Providers.FailNext("anthropic", 1, 529);
        using (var response = await PostAsync("failover", Chat("smart")))
        {
            Assert.Equal(529, (int)response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal(("overloaded", "overloaded_error"), ((string?)error["message"], (string?)error["type"]));
        }
    }

    [Fact]
    public async Task ARetryPolicy_RetriesATargetOnItsStatuses_BeforeFailingOver_AndNotOnOthers()
    {
        int Tries(string model) => gateway.Providers.Requests.Count(request => (string?)request.Body["model"] == model);

        // Two 503s: the third try of the same target answers.
        gateway.Providers.FailNext("openai", 2, StatusCodes.Status503ServiceUnavailable);
        var before = Tries("gpt-4.1-solo");
        using (var response = await PostAsync("retried", Chat("solo")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before + 3, Tries("gpt-4.1-solo"));

        // Three 503s use up the target's retries: the next target answers.
        gateway.Providers.FailNext("openai", 3, StatusCodes.Status503ServiceUnavailable);
        (before, var fallback) = (Tries("gpt-4.1-retried"), Tries("claude-sonnet-4-5-retried"));
        using (var response = await PostAsync("retried", Chat("smart")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("I'll check the weather in Paris.", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["choices"]![0]!["message"]!["content"]);
        }

        Assert.Equal((before + 3, fallback + 1), (Tries("gpt-4.1-retried"), Tries("claude-sonnet-4-5-retried")));

        // A 500 is not among the retried statuses: it fails over at once, or is the answer when no target is left.
        gateway.Providers.FailNext("openai", 1, StatusCodes.Status500InternalServerError);
        before = Tries("gpt-4.1-solo");
        using (var response = await PostAsync("retried", Chat("solo")))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("overloaded", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["message"]);
        }

        Assert.Equal(before + 1, Tries("gpt-4.1-solo"));
    }

    [Theory]
    [InlineData("limited")]
    [InlineData("limited-shared")]
    public async Task ATokenLimit_CountsEachAnswersTokens_AndRefusesInOpenAisShapeWhenTheyRunOut(string route)
    {
        // 100 tokens: admission takes one, the answer's usage (29) the rest; the fourth answer empties the bucket.
        var statuses = new List<int>();
        for (var index = 0; index < 5; index++)
        {
            using var response = await PostAsync(route, Chat("gpt-4o-mini"));
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
                Assert.Equal("rate_limit_error", (string?)error["type"]);
            }
        }

        Assert.Equal([200, 200, 200, 200, 429], statuses);
    }

    [Fact]
    public async Task Embeddings_PassThroughToAnOpenAiProvider_AndAreRefusedWhereNoProviderServesThem()
    {
        var embeddings = new JsonObject { ["model"] = "text-embedding-3-small", ["input"] = "The food was delicious", ["dimensions"] = 4 };
        using (var response = await PostAsync("failover", embeddings, path: "/embeddings"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var response = await PostAsync("open", embeddings, path: "/embeddings"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
            Assert.Equal(4, answer["data"]![0]!["embedding"]!.AsArray().Count);
            Assert.Equal(8, (int)answer["usage"]!["prompt_tokens"]!);
            Assert.Equal(4, (int)gateway.Providers.LastBody("openai", body => body["input"] is not null)["dimensions"]!);
        }

        using (var response = await PostAsync("anthropic", embeddings, path: "/embeddings"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal("unsupported_api", (string?)error["code"]);
        }
    }

    [Fact]
    public async Task AProviderThatFailed_IsEjected_AndTriedOnlyAfterTheOthers()
    {
        int OpenAiTries() => gateway.Providers.Requests.Count(request => request.Provider == "openai" && (string?)request.Body["model"] == "gpt-4.1-steady");
        gateway.Providers.FailNext("openai", 1, StatusCodes.Status503ServiceUnavailable);
        using (var failedOver = await PostAsync("ejecting", Chat("steady")))
        {
            Assert.Equal(HttpStatusCode.OK, failedOver.StatusCode);
        }

        Assert.Equal(1, OpenAiTries());
        for (var index = 0; index < 3; index++)
        {
            using var response = await PostAsync("ejecting", Chat("steady"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Ejected for a minute: the healthy provider served the rest without the ejected one being tried first.
        Assert.Equal(1, OpenAiTries());
        Assert.Equal(4, gateway.Providers.Requests.Count(request => request.Provider == "anthropic" && (string?)request.Body["model"] == "claude-steady"));
    }

    [Fact]
    public async Task WithoutReportedUsage_TheTokensAreEstimatedFromTheText()
    {
        // "Hi" is one token, the 34 characters of the answer nine: 10 a request, so 20 tokens serve two.
        var statuses = new List<int>();
        for (var index = 0; index < 3; index++)
        {
            using var response = await PostAsync("limited-estimated", Chat("llama-no-usage"));
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([200, 200, 429], statuses);
    }

    [Fact]
    public async Task AJwtRoute_RefusesWithoutAToken_InOpenAisErrorShape_AndServesWithOne()
    {
        using (var refused = await PostAsync("secure", Chat("claude-haiku-4-5")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal("authentication_error", (string?)error["type"]);
        }

        var token = gateway.Issuer.Token(LlmGatewayFixture.Audience);
        using var served = await PostAsync("secure", Chat("claude-haiku-4-5"), token);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        // The caller's token is the gateway's; the provider gets the provider's key.
        Assert.False(gateway.Providers.LastHeaders("anthropic").ContainsKey("authorization"));
    }

    [Theory]
    [InlineData("POST", "/v1/chat/completions", "{not json", 400, "invalid_request_error")]
    [InlineData("POST", "/v1/chat/completions", "[1, 2]", 400, "invalid_request_error")]
    [InlineData("POST", "/v1/chat/completions", "{\"messages\": []}", 400, "invalid_request_error")]
    [InlineData("GET", "/v1/chat/completions", null, 405, "invalid_request_error")]
    [InlineData("POST", "/v1/embeddings/x", "{}", 404, "invalid_request_error")]
    public async Task BadRequests_GetOpenAiErrors(string method, string path, string? body, int status, string type)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(gateway.Proxy.BaseAddress, "/acme/openai" + path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request, Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal(type, (string?)error["type"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
    }

    [Fact]
    public async Task AnAzureOpenAiProvider_IsCalledAtItsDeployment_WithItsApiVersionAndKey()
    {
        using var response = await PostAsync("azure", Chat("fast"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement;
        Assert.Equal("Hello! How can I assist you today?", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(("gpt4o-prod", "2025-04-01-preview"), gateway.Providers.AzureCalls.Last());
        Assert.Equal("azure-key", gateway.Providers.LastHeaders("azure")["api-key"]);
        Assert.Equal("gpt4o-prod", (string?)gateway.Providers.LastBody("azure")["model"]);
    }

    [Fact]
    public async Task AProviderFailingItsProbes_IsTriedOnlyAfterTheHealthyOnes()
    {
        // Until its first probe fails, the sick provider is the first target, and its 404 is the answer; then the
        // healthy one answers first.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await PostAsync("probed", Chat("careful"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the sick provider's probes to fail: {(int)response.StatusCode}");
            await Task.Delay(100, Cancellation);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var again = await PostAsync("probed", Chat("careful"));
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }

    [Fact]
    public async Task ChatAndAnthropicClients_ThroughGemini_AreTranslatedBothWays_ToolsStreamsAndToolResultsIncluded()
    {
        var chat = new JsonObject
        {
            ["model"] = "gemini-2.5-flash",
            ["max_completion_tokens"] = 300,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
                new JsonObject { ["role"] = "user", ["content"] = "What is the weather in Paris?" }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "get_weather", ["parameters"] = new JsonObject { ["type"] = "object" } },
            }),
            ["tool_choice"] = "required",
        };
        using (var response = await PostAsync("gemini", chat))
        {
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var message = answer.GetProperty("choices")[0].GetProperty("message");
            Assert.Equal("Let me look up the weather in Paris.", message.GetProperty("content").GetString());
            Assert.Equal("get_weather", message.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
            Assert.Equal("tool_calls", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            Assert.Equal((42, 17), (answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
        }

        var sent = gateway.Providers.LastBody("gemini");
        Assert.Equal("Be brief.", (string?)sent["systemInstruction"]!["parts"]![0]!["text"]);
        Assert.Equal(("user", "What is the weather in Paris?"), ((string?)sent["contents"]![0]!["role"], (string?)sent["contents"]![0]!["parts"]![0]!["text"]));
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["functionDeclarations"]![0]!["name"]);
        Assert.Equal("ANY", (string?)sent["toolConfig"]!["functionCallingConfig"]!["mode"]);
        Assert.Equal(300, (int)sent["generationConfig"]!["maxOutputTokens"]!);
        Assert.Equal("gemini-key", gateway.Providers.LastHeaders("gemini")["x-goog-api-key"]);

        // The tool's result goes back as a functionResponse named after the call it answers.
        var followUp = (JsonObject)chat.DeepClone();
        followUp["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_0", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" } }),
        });
        followUp["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_0", ["content"] = "{\"temperature\": 21}" });
        using (var response = await PostAsync("gemini", followUp))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var contents = gateway.Providers.LastBody("gemini")["contents"]!.AsArray();
        Assert.Equal(("model", "Paris"), ((string?)contents[1]!["role"], (string?)contents[1]!["parts"]![0]!["functionCall"]!["args"]!["city"]));
        Assert.Equal(("get_weather", 21), ((string?)contents[2]!["parts"]![0]!["functionResponse"]!["name"], (int)contents[2]!["parts"]![0]!["functionResponse"]!["response"]!["temperature"]!));

        // A stream, chunk by chunk, with the usage the client asked for.
        var streamed = (JsonObject)chat.DeepClone();
        streamed["stream"] = true;
        streamed["stream_options"] = new JsonObject { ["include_usage"] = true };
        using var stream = await PostAsync("gemini", streamed);
        var text = await stream.Content.ReadAsStringAsync(Cancellation);
        var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block => block["data: ".Length..]).Where(data => data != "[DONE]").Select(data => JsonNode.Parse(data)!).ToList();
        Assert.Equal("Hello from Gemini", string.Concat(chunks.Select(chunk => (string?)chunk["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"])));
        Assert.Equal(12, (int)chunks.Last()["usage"]!["total_tokens"]!);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);

        // Anthropic clients too: their message translated to chat, then to Gemini, and the answer back as a message.
        using var messages = await PostAsync("gemini", new JsonObject
        {
            ["model"] = "gemini-2.5-flash",
            ["max_tokens"] = 64,
            ["system"] = "Be brief.",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" }),
        }, path: "/messages");
        Assert.Equal(HttpStatusCode.OK, messages.StatusCode);
        var reply = JsonDocument.Parse(await messages.Content.ReadAsStringAsync(Cancellation)).RootElement;
        Assert.Equal(("message", "text", "tool_use"), (reply.GetProperty("type").GetString(), reply.GetProperty("content")[0].GetProperty("type").GetString(),
            reply.GetProperty("content")[1].GetProperty("type").GetString()));
        Assert.Equal("Paris", reply.GetProperty("content")[1].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(42, reply.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal((64, "Be brief."), ((int)gateway.Providers.LastBody("gemini")["generationConfig"]!["maxOutputTokens"]!,
            (string?)gateway.Providers.LastBody("gemini")["systemInstruction"]!["parts"]![0]!["text"]));
    }

    private static JsonObject Chat(string model) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
    };

    private async Task<HttpResponseMessage> PostAsync(string route, JsonObject chat, string? token = null, string path = "/chat/completions")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl(route) + path))
        {
            Content = new StringContent(chat.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request, Cancellation);
    }

    /// <summary>Runs one of the official clients' scripts in <c>tests/node/llm</c> and reads its report.</summary>
    private static Task<JsonElement> RunNodeClientAsync(string script, Uri baseUrl, string model, string apiKey) =>
        NodeScript.RunAsync(NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "llm", script), [baseUrl.ToString(), model, apiKey], Cancellation);
}
