using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm.Providers;

/// <summary>
/// LLM routes in front of the clouds' own APIs: AWS Bedrock's Converse (requests signed with SigV4, streams in AWS's
/// event stream encoding) and Google Vertex AI (Gemini and Claude models of a location), with recorded answers of
/// those APIs, called by the official clients and by raw requests.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class LlmCloudProviderTests(LlmGatewayFixture gateway) : IClassFixture<LlmGatewayFixture>
{
    private const string Haiku = "anthropic.claude-3-5-haiku-20241022-v1:0";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AChatConversation_BecomesAConverseRequest_SignedWithSigV4_AndTheAnswerComesBackAsACompletion()
    {
        var chat = new JsonObject
        {
            ["model"] = "anthropic.claude-sonnet-4-5-tools",
            ["max_tokens"] = 300,
            ["temperature"] = 0.2,
            ["stop"] = "END",
            ["top_k"] = 40,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = "What is the weather where this photo was taken?" },
                        new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64,iVBORw0KGgo=" } }),
                },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "tooluse_1", ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{\"city\":\"Paris\"}" },
                    }),
                },
                new JsonObject { ["role"] = "tool", ["tool_call_id"] = "tooluse_1", ["content"] = "21 degrees" },
                new JsonObject { ["role"] = "user", ["content"] = "And tomorrow?" }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = "get_weather", ["description"] = "The weather in a city.",
                    ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } } },
                },
            }),
            ["tool_choice"] = "required",
        };

        using var response = await PostAsync("bedrock", chat);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = answer["choices"]![0]!["message"]!;
        Assert.Equal("I'll look up the weather in Paris.", (string?)message["content"]);
        Assert.Equal(("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_weather"), ((string?)message["tool_calls"]![0]!["id"], (string?)message["tool_calls"]![0]!["function"]!["name"]));
        Assert.Equal("Paris", (string?)JsonNode.Parse((string)message["tool_calls"]![0]!["function"]!["arguments"]!)!["city"]);
        Assert.Equal("tool_calls", (string?)answer["choices"]![0]!["finish_reason"]);
        // Cache reads count as input.
        Assert.Equal((400, 63), ((int)answer["usage"]!["prompt_tokens"]!, (int)answer["usage"]!["completion_tokens"]!));

        // The fixture refuses a request whose signature is not the one the key makes for it (403): this one passed.
        Assert.Equal(("anthropic.claude-sonnet-4-5-tools", "converse"), gateway.Providers.BedrockCalls.Last());
        var authorization = gateway.Providers.LastHeaders("bedrock")["authorization"];
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={RecordedLlmProviders.AwsAccessKey}/", authorization, StringComparison.Ordinal);
        Assert.Contains("/us-east-1/bedrock/aws4_request", authorization, StringComparison.Ordinal);

        var sent = gateway.Providers.LastBody("bedrock");
        Assert.Equal("Be brief.", (string?)sent["system"]![0]!["text"]);
        var turns = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], turns.Select(turn => (string?)turn!["role"]));
        Assert.Equal(("png", "iVBORw0KGgo="), ((string?)turns[0]!["content"]![1]!["image"]!["format"], (string?)turns[0]!["content"]![1]!["image"]!["source"]!["bytes"]));
        Assert.Equal(("tooluse_1", "Paris"), ((string?)turns[1]!["content"]![0]!["toolUse"]!["toolUseId"], (string?)turns[1]!["content"]![0]!["toolUse"]!["input"]!["city"]));
        // The tool's result and the user's next words are one user turn: Converse wants the roles to alternate.
        Assert.Equal(("tooluse_1", "21 degrees"), ((string?)turns[2]!["content"]![0]!["toolResult"]!["toolUseId"], (string?)turns[2]!["content"]![0]!["toolResult"]!["content"]![0]!["text"]));
        Assert.Equal("And tomorrow?", (string?)turns[2]!["content"]![1]!["text"]);
        var tool = sent["toolConfig"]!["tools"]![0]!["toolSpec"]!;
        Assert.Equal(("get_weather", "object"), ((string?)tool["name"], (string?)tool["inputSchema"]!["json"]!["type"]));
        Assert.NotNull(sent["toolConfig"]!["toolChoice"]!["any"]);
        Assert.Equal((300, 0.2, "END"), ((int)sent["inferenceConfig"]!["maxTokens"]!, (double)sent["inferenceConfig"]!["temperature"]!, (string?)sent["inferenceConfig"]!["stopSequences"]![0]));
        // A field OpenAI does not define is the model's own: it passes on untouched.
        Assert.Equal(40, (int)sent["additionalModelRequestFields"]!["top_k"]!);
    }

    [Fact]
    public async Task BedrockStreams_ReachTheOpenAiDotNetClient_AsChunks_ToolCallsAndUsageIncluded()
    {
        var client = new OpenAI.Chat.ChatClient(Haiku, new System.ClientModel.ApiKeyCredential("client-key"),
            new OpenAI.OpenAIClientOptions { Endpoint = gateway.BaseUrl("bedrock"), NetworkTimeout = TimeSpan.FromSeconds(30) });
        OpenAI.Chat.ChatMessage[] messages = [new OpenAI.Chat.SystemChatMessage("Be brief."), new OpenAI.Chat.UserChatMessage("Hi")];
        var completion = (await client.CompleteChatAsync(messages, cancellationToken: Cancellation)).Value;
        Assert.Equal("Hello from Bedrock! How can I help you today?", completion.Content[0].Text);
        Assert.Equal(21, completion.Usage.InputTokenCount);

        var text = new StringBuilder();
        OpenAI.Chat.ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, cancellationToken: Cancellation))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            usage ??= update.Usage;
        }

        Assert.Equal("Hello from Bedrock", text.ToString());
        Assert.Equal((21, 3), (usage!.InputTokenCount, usage.OutputTokenCount));
        Assert.Equal((Haiku, "converse-stream"), gateway.Providers.BedrockCalls.Last());

        // A tool use streamed: its arguments arrive in pieces, as OpenAI's tool call deltas.
        var chunks = await StreamAsync("bedrock", new JsonObject
        {
            ["model"] = "anthropic.claude-sonnet-4-5-tools",
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" }),
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather" } }),
        });
        var calls = chunks.SelectMany(chunk => chunk["choices"]?[0]?["delta"]?["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.Equal(("tooluse_Q8b2xS4yRb-3Xs1u0OmFsA", "get_weather"), ((string?)calls[0]!["id"], (string?)calls[0]!["function"]!["name"]));
        Assert.Equal("{\"city\": \"Paris\"}", string.Concat(calls.Select(call => (string?)call!["function"]!["arguments"])));
        Assert.Equal("Let me check the weather.", string.Concat(chunks.Select(chunk => (string?)chunk["choices"]?[0]?["delta"]?["content"])));
        Assert.Equal("tool_calls", chunks.Select(chunk => (string?)chunk["choices"]?[0]?["finish_reason"]).Last(reason => reason is not null));
    }

    [Fact]
    public async Task TheAnthropicClient_ThroughBedrock_GetsMessagesAndEvents_AndBedrocksErrorsInItsShape()
    {
        var report = await NodeScript.RunAsync(NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "llm", "anthropic-client.mjs"),
            [gateway.AnthropicBaseUrl("bedrock").ToString(), "anthropic.claude-sonnet-4-5-tools", "client-key"], Cancellation);

        var blocking = report.GetProperty("blocking");
        Assert.Equal("I'll look up the weather in Paris.", blocking.GetProperty("text").GetString());
        Assert.Equal("Paris", blocking.GetProperty("toolUses")[0].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", blocking.GetProperty("stopReason").GetString());
        var stream = report.GetProperty("stream");
        Assert.Equal("Let me check the weather.", stream.GetProperty("text").GetString());
        Assert.Equal(("get_weather", "Paris"), (stream.GetProperty("toolUses")[0].GetProperty("name").GetString(),
            stream.GetProperty("toolUses")[0].GetProperty("input").GetProperty("city").GetString()));
        Assert.Equal((393, 58), (stream.GetProperty("usage").GetProperty("input_tokens").GetInt32(), stream.GetProperty("usage").GetProperty("output_tokens").GetInt32()));

        // Bedrock's validation error of an unknown model, as Anthropic's error.
        var error = report.GetProperty("error");
        Assert.Equal((400, "invalid_request_error"), (error.GetProperty("status").GetInt32(), error.GetProperty("type").GetString()));
        Assert.Contains("The provided model identifier is invalid.", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The Messages request went out as Converse: system prompt and tool included.
        var sent = gateway.Providers.LastBody("bedrock", body => body["toolConfig"] is not null);
        Assert.Equal("Be brief.", (string?)sent["system"]![0]!["text"]);
        Assert.Equal("get_weather", (string?)sent["toolConfig"]!["tools"]![0]!["toolSpec"]!["name"]);
        Assert.Equal(256, (int)sent["inferenceConfig"]!["maxTokens"]!);
    }

    [Fact]
    public async Task BedrocksFailures_ComeBackInOpenAisShape_ABrokenStreamEndsWithAnErrorEvent_AndAnImageUrlIsRefused()
    {
        using (var refused = await PostAsync("bedrock", Chat("no-such-model")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Cancellation))!["error"]!;
            Assert.Equal(("The provided model identifier is invalid.", "invalid_request_error"), ((string?)error["message"], (string?)error["type"]));
        }

        var streamed = Chat("throttled");
        streamed["stream"] = true;
        var chunks = await StreamAsync("bedrock", streamed, expectDone: false);
        Assert.Equal("Hel", string.Concat(chunks.Select(chunk => (string?)chunk["choices"]?[0]?["delta"]?["content"])));
        Assert.Equal(("throttlingException", "Too many requests, please wait before trying again."),
            ((string?)chunks[^1]["error"]!["code"], (string?)chunks[^1]["error"]!["message"]));

        // Converse takes images as bytes or S3 locations only: a web URL is the client's error, and no request goes out.
        var calls = gateway.Providers.BedrockCalls.Count;
        var image = Chat(Haiku);
        image["messages"]![0]!["content"] = new JsonArray(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/cat.png" } });
        using var unsupported = await PostAsync("bedrock", image);
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        var problem = JsonNode.Parse(await unsupported.Content.ReadAsStringAsync(Cancellation))!["error"]!;
        Assert.Equal("unsupported_content", (string?)problem["code"]);
        Assert.Contains("data URLs or s3:// URLs", (string?)problem["message"], StringComparison.Ordinal);
        Assert.Equal(calls, gateway.Providers.BedrockCalls.Count);
    }

    [Fact]
    public async Task TheResponsesApiAndTheModelList_ReachBedrockToo()
    {
        using var response = await PostAsync("bedrock", new JsonObject { ["model"] = Haiku, ["input"] = "Hi", ["instructions"] = "Be brief." }, "/responses");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal("Hello from Bedrock! How can I help you today?", (string?)answer["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal("Be brief.", (string?)gateway.Providers.LastBody("bedrock")["system"]![0]!["text"]);

        // A route without models lists its provider's: Bedrock's foundation models.
        var models = JsonNode.Parse(await Http.GetStringAsync(new Uri(gateway.BaseUrl("bedrock") + "/models"), Cancellation))!;
        Assert.Equal([Haiku, "amazon.nova-lite-v1:0"], models["data"]!.AsArray().Select(model => (string?)model!["id"]));
    }

    [Fact]
    public async Task VertexAi_ServesGeminiModels_AtTheLocationsPublisherUrl_WithTheProvidersToken()
    {
        using (var response = await PostAsync("vertex", Chat("gemini-2.5-flash")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
            Assert.Equal("Let me look up the weather in Paris.", (string?)answer["choices"]![0]!["message"]!["content"]);
        }

        Assert.Equal("google/gemini-2.5-flash:generateContent", gateway.Providers.VertexCalls.Last());
        Assert.Equal("Bearer " + LlmGatewayFixture.VertexToken, gateway.Providers.LastHeaders("vertex-google")["authorization"]);
        Assert.Equal("Hi", (string?)gateway.Providers.LastBody("vertex-google")["contents"]![0]!["parts"]![0]!["text"]);

        var streamed = Chat("google/gemini-2.5-flash");
        streamed["stream"] = true;
        var chunks = await StreamAsync("vertex", streamed);
        Assert.Equal("Hello from Gemini", string.Concat(chunks.Select(chunk => (string?)chunk["choices"]?[0]?["delta"]?["content"])));
        Assert.Equal("google/gemini-2.5-flash:streamGenerateContent", gateway.Providers.VertexCalls.Last());
    }

    [Fact]
    public async Task VertexAi_ServesClaudeModels_ByRawPredict_ToChatAndAnthropicClients()
    {
        using (var response = await PostAsync("vertex", Chat("claude-sonnet-4-5@20250929")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
            Assert.Equal("I'll check the weather in Paris.", (string?)answer["choices"]![0]!["message"]!["content"]);
        }

        // The model is in the URL, the version in the body (Vertex AI's own), none of Anthropic's headers.
        Assert.Equal("anthropic/claude-sonnet-4-5@20250929:rawPredict", gateway.Providers.VertexCalls.Last());
        var sent = gateway.Providers.LastBody("vertex-anthropic");
        Assert.Equal("vertex-2023-10-16", (string?)sent["anthropic_version"]);
        Assert.Null(sent["model"]);
        Assert.False(gateway.Providers.LastHeaders("vertex-anthropic").ContainsKey("anthropic-version"));
        Assert.Equal("Bearer " + LlmGatewayFixture.VertexToken, gateway.Providers.LastHeaders("vertex-anthropic")["authorization"]);

        // An Anthropic client's message passes through to it, streamed by streamRawPredict.
        using var messages = await PostAsync("vertex", new JsonObject
        {
            ["model"] = "anthropic/claude-sonnet-4-5@20250929",
            ["max_tokens"] = 64,
            ["stream"] = true,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        }, "/messages");
        var events = await messages.Content.ReadAsStringAsync(Cancellation);
        Assert.Equal(HttpStatusCode.OK, messages.StatusCode);
        Assert.Contains("event: message_stop", events, StringComparison.Ordinal);
        Assert.Contains("Hello from Claude", string.Concat(events.Split('\n').Where(line => line.StartsWith("data: ", StringComparison.Ordinal))
            .Select(line => (string?)JsonNode.Parse(line["data: ".Length..])?["delta"]?["text"])), StringComparison.Ordinal);
        Assert.Equal("anthropic/claude-sonnet-4-5@20250929:streamRawPredict", gateway.Providers.VertexCalls.Last());
        Assert.Equal((true, null), ((bool?)gateway.Providers.LastBody("vertex-anthropic")["stream"], gateway.Providers.LastBody("vertex-anthropic")["model"]));
    }

    [Theory]
    [InlineData("gemini", "text-embedding-004", 2, false)]
    [InlineData("vertex", "text-embedding-005", 2, true)]
    [InlineData("bedrock", "cohere.embed-english-v3", 2, false)]
    [InlineData("bedrock", "amazon.titan-embed-text-v2:0", 1, true)]
    public async Task Embeddings_AreTranslatedToEachProvidersApi_AndComeBackAsOpenAisList(string route, string model, int inputs, bool countsTokens)
    {
        var texts = new JsonArray([.. new[] { "the weather in paris", "a light breeze" }.Take(inputs).Select(text => (JsonNode?)text)]);
        using var response = await PostAsync(route, new JsonObject { ["model"] = model, ["input"] = texts, ["dimensions"] = 4 }, "/embeddings");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!;
        Assert.Equal(("list", model), ((string?)answer["object"], (string?)answer["model"]));
        var data = answer["data"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, inputs), data.Select(item => (int)item!["index"]!));
        Assert.All(data, item => Assert.Equal(4, item!["embedding"]!.AsArray().Count));
        Assert.Equal(countsTokens, answer["usage"] is not null);

        // The texts went in the provider's own request.
        var sent = gateway.Providers.Requests.Last(request => request.Body.ToJsonString().Contains("the weather in paris", StringComparison.Ordinal)).Body;
        var received = route switch
        {
            "gemini" => sent["requests"]!.AsArray().Select(item => (string?)item!["content"]!["parts"]![0]!["text"]),
            "vertex" => sent["instances"]!.AsArray().Select(item => (string?)item!["content"]),
            _ when model.StartsWith("cohere", StringComparison.Ordinal) => sent["texts"]!.AsArray().Select(item => (string?)item),
            _ => [(string?)sent["inputText"]],
        };
        Assert.Equal(texts.Select(text => (string?)text), received);
    }

    [Fact]
    public async Task Base64Embeddings_AreFloat32s_AsTheOfficialClientDecodesThem_AndUnservableInputsAreRefused()
    {
        var report = await NodeScript.RunAsync(NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "llm", "embeddings-client.mjs"),
            [gateway.BaseUrl("bedrock").ToString(), "cohere.embed-english-v3", "client-key"], Cancellation);
        // The client asks for base64 and decodes it: the recorded floats, as float32.
        Assert.Equal(0.0123291015625, report.GetProperty("first")[0].GetDouble(), 1e-7);
        Assert.Equal(2, report.GetProperty("count").GetInt32());
        using (var raw = await PostAsync("bedrock", new JsonObject { ["model"] = "cohere.embed-english-v3", ["input"] = "the weather in paris", ["encoding_format"] = "base64" }, "/embeddings"))
        {
            var bytes = Convert.FromBase64String((string)JsonNode.Parse(await raw.Content.ReadAsStringAsync(Cancellation))!["data"]![0]!["embedding"]!);
            Assert.Equal((16, 0.0123291015625f), (bytes.Length, BitConverter.ToSingle(bytes, 0)));
        }

        using var titan = await PostAsync("bedrock", new JsonObject { ["model"] = "amazon.titan-embed-text-v2:0", ["input"] = new JsonArray("one", "two") }, "/embeddings");
        Assert.Equal(HttpStatusCode.BadRequest, titan.StatusCode);
        Assert.Contains("one text a request", (string?)JsonNode.Parse(await titan.Content.ReadAsStringAsync(Cancellation))!["error"]!["message"], StringComparison.Ordinal);
        using var tokens = await PostAsync("gemini", new JsonObject { ["model"] = "text-embedding-004", ["input"] = new JsonArray(new JsonArray(1, 2, 3)) }, "/embeddings");
        Assert.Equal(HttpStatusCode.BadRequest, tokens.StatusCode);
    }

    [Fact]
    public async Task ToolHistoryWithoutTools_GetsAToolConfiguration_AndMisshapedRequestsAreTheClientsErrors()
    {
        // Converse takes tool calls in a conversation only with a tool configuration: the tools called are declared.
        var chat = Chat(Haiku);
        chat["messages"]!.AsArray().Add(new JsonObject
        {
            ["role"] = "assistant",
            ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "tooluse_9", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = "{}" } }),
        });
        chat["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "tooluse_9", ["content"] = "sunny" });
        using (var response = await PostAsync("bedrock", chat))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var sent = gateway.Providers.LastBody("bedrock", body => body["messages"]?.ToJsonString().Contains("tooluse_9", StringComparison.Ordinal) == true);
        Assert.Equal("get_weather", (string?)sent["toolConfig"]!["tools"]![0]!["toolSpec"]!["name"]);
        Assert.Null(sent["toolConfig"]!["toolChoice"]);

        // A field of the wrong JSON type is a 400, not the gateway's failure.
        var misshaped = Chat(Haiku);
        misshaped["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather" } });
        misshaped["tool_choice"] = true;
        using (var response = await PostAsync("bedrock", misshaped))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["code"]);
        }

        // Vertex AI models of other publishers are not served; embeddings ignore "stream".
        using (var response = await PostAsync("vertex", Chat("meta/llama-4-maverick")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("publisher 'meta'", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancellation))!["error"]!["message"], StringComparison.Ordinal);
        }

        using var embeddings = await PostAsync("gemini", new JsonObject { ["model"] = "text-embedding-004", ["input"] = new JsonArray("a", "b"), ["stream"] = true }, "/embeddings");
        Assert.Equal(HttpStatusCode.OK, embeddings.StatusCode);
        Assert.Equal(2, JsonNode.Parse(await embeddings.Content.ReadAsStringAsync(Cancellation))!["data"]!.AsArray().Count);
    }

    private static JsonObject Chat(string model) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
    };

    /// <summary>A streamed chat's chunks (the data of each event but [DONE], which must end it unless <paramref name="expectDone"/> is false).</summary>
    private async Task<List<JsonNode>> StreamAsync(string route, JsonObject chat, bool expectDone = true)
    {
        using var response = await PostAsync(route, chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        if (expectDone)
        {
            Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        }

        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block => block["data: ".Length..]).Where(data => data != "[DONE]").Select(data => JsonNode.Parse(data)!)];
    }

    private async Task<HttpResponseMessage> PostAsync(string route, JsonObject body, string path = "/chat/completions") =>
        await Http.PostAsync(new Uri(gateway.BaseUrl(route) + path), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), Cancellation);
}
