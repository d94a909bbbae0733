using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI Chat Completions clients in front of Google's Gemini API (<c>models/{model}:generateContent</c>, streams
/// from <c>:streamGenerateContent?alt=sse</c>): system messages become <c>systemInstruction</c>; user, assistant and
/// tool messages <c>contents</c> of roles user and model, with text, inline images, <c>functionCall</c> and
/// <c>functionResponse</c> parts; tools <c>functionDeclarations</c>; tool_choice a function calling mode; sampling and
/// limits <c>generationConfig</c>. Answers come back as chat completions and chunks, function calls as tool calls
/// (Gemini has no call ids: <c>call_{n}</c>), usage from <c>usageMetadata</c>. Vertex AI serves Gemini models with the
/// same API below a location (<c>publishers/google/models/{model}:generateContent</c>).
/// </summary>
internal sealed class GeminiChatAdapter : ProviderAdapter
{
    public static readonly GeminiChatAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject chat, string model, bool stream)
    {
        var body = new JsonObject();
        var system = new JsonArray();
        var contents = new JsonArray();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in (chat["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)message["role"])
            {
                case "system" or "developer":
                    system.Add(new JsonObject { ["text"] = Text(message["content"]) });
                    break;
                case "assistant":
                    var parts = new JsonArray();
                    if (Text(message["content"]) is { Length: > 0 } said)
                    {
                        parts.Add(new JsonObject { ["text"] = said });
                    }

                    foreach (var call in (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        var name = (string?)call["function"]?["name"] ?? string.Empty;
                        names[(string?)call["id"] ?? string.Empty] = name;
                        parts.Add(new JsonObject { ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = Arguments((string?)call["function"]?["arguments"]) } });
                    }

                    AddTurn(contents, "model", "parts", parts);
                    break;
                case "tool":
                    var result = Text(message["content"]);
                    var response = ParseObject(result) ?? new JsonObject { ["result"] = result };
                    AddTurn(contents, "user", "parts", [new JsonObject
                    {
                        ["functionResponse"] = new JsonObject { ["name"] = names.GetValueOrDefault((string?)message["tool_call_id"] ?? string.Empty, string.Empty), ["response"] = response },
                    }]);
                    break;
                default:
                    AddTurn(contents, "user", "parts", UserParts(message["content"]));
                    break;
            }
        }

        if (system.Count > 0)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = system };
        }

        body["contents"] = contents;
        if (chat["tools"] is JsonArray tools)
        {
            var declarations = new JsonArray();
            foreach (var function in tools.OfType<JsonObject>().Select(tool => tool["function"]).OfType<JsonObject>())
            {
                var declaration = new JsonObject { ["name"] = function["name"]?.DeepClone() };
                Copy(function, declaration, "description");
                Copy(function, declaration, "parameters");
                declarations.Add(declaration);
            }

            body["tools"] = new JsonArray(new JsonObject { ["functionDeclarations"] = declarations });
        }

        if (ToolConfig(chat["tool_choice"]) is { } config)
        {
            body["toolConfig"] = new JsonObject { ["functionCallingConfig"] = config };
        }

        var generation = new JsonObject();
        Copy(chat, generation, "temperature");
        Copy(chat, generation, "top_p", "topP");
        Copy(chat, generation, "n", "candidateCount");
        Copy(chat, generation, "seed");
        if ((chat["max_completion_tokens"] ?? chat["max_tokens"]) is { } limit)
        {
            generation["maxOutputTokens"] = limit.DeepClone();
        }

        if (StopSequences(chat) is { } stops)
        {
            generation["stopSequences"] = stops;
        }

        if (chat["response_format"] is JsonObject format && (string?)format["type"] is "json_object" or "json_schema")
        {
            generation["responseMimeType"] = "application/json";
            if (format["json_schema"]?["schema"] is JsonObject schema)
            {
                generation["responseJsonSchema"] = schema.DeepClone();
            }
        }

        if (generation.Count > 0)
        {
            body["generationConfig"] = generation;
        }

        var method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
        var url = provider.Kind == LlmProviderKind.VertexAi ? VertexUrl(provider, model, method) : Below(provider, $"/models/{Uri.EscapeDataString(model)}:{method}");
        return PostJson(url, body);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        var usage = Usage(answer["usageMetadata"]);
        var choices = new JsonArray();
        foreach (var candidate in (answer["candidates"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var text = new StringBuilder();
            var calls = new JsonArray();
            foreach (var part in (candidate["content"]?["parts"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((string?)part["text"] is { } said && part["thought"] is null)
                {
                    text.Append(said);
                }
                else if (part["functionCall"] is JsonObject call)
                {
                    calls.Add(ToolCall(calls.Count, call));
                }
            }

            var message = AssistantMessage(text.ToString(), calls);
            choices.Add(new JsonObject
            {
                ["index"] = (int)LlmUsage.Number(candidate["index"]),
                ["message"] = message,
                ["finish_reason"] = calls.Count > 0 ? "tool_calls" : FinishReason((string?)candidate["finishReason"]),
            });
        }

        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-{(string?)answer["responseId"] ?? Guid.NewGuid().ToString("N")}",
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = (string?)answer["modelVersion"] ?? model,
            ["choices"] = choices,
        };
        if (usage is { } used)
        {
            completion["usage"] = used.ToOpenAi();
        }

        return (completion, usage);
    }

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var calls = 0;
        var first = true;
        JsonObject Chunk(JsonObject delta, string? finish) => ChatChunk(id, created, state.Model, delta, finish);

        await foreach (var sse in events)
        {
            if (ParseObject(sse.Data) is not { } chunk)
            {
                continue;
            }

            if (chunk["error"] is JsonObject error)
            {
                yield return Data(LlmErrors.OpenAi((string?)error["message"] ?? "The provider failed.", "api_error"));
                yield return OpenAiStream.Done;
                yield break;
            }

            if (Usage(chunk["usageMetadata"]) is { } usage)
            {
                state.Usage = usage;
            }

            if ((chunk["candidates"] as JsonArray)?.FirstOrDefault() is not JsonObject candidate)
            {
                continue;
            }

            foreach (var part in (candidate["content"]?["parts"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var delta = new JsonObject();
                if (first)
                {
                    delta["role"] = "assistant";
                    first = false;
                }

                if ((string?)part["text"] is { Length: > 0 } said && part["thought"] is null)
                {
                    delta["content"] = said;
                    state.OutputCharacters += said.Length;
                }
                else if (part["functionCall"] is JsonObject call)
                {
                    var toolCall = ToolCall(calls, call);
                    toolCall["index"] = calls++;
                    delta["tool_calls"] = new JsonArray(toolCall);
                    state.OutputCharacters += LlmUsage.TextLength(toolCall["function"]);
                }
                else
                {
                    continue;
                }

                yield return Data(Chunk(delta, null));
            }

            if ((string?)candidate["finishReason"] is { } reason)
            {
                yield return Data(Chunk([], calls > 0 ? "tool_calls" : FinishReason(reason)));
            }
        }

        if (state.ClientWantsUsage && state.Usage is { } total)
        {
            yield return Data(UsageChunk(id, created, state.Model, total));
        }

        yield return OpenAiStream.Done;
    }

    public override JsonObject ToError(int status, string body) =>
        ParseObject(body) is { } answer && answer["error"] is JsonObject error
            ? LlmErrors.OpenAi((string?)error["message"] ?? PlainMessage(status, string.Empty), LlmErrors.OpenAiType(status), (string?)error["status"])
            : LlmErrors.OpenAi(PlainMessage(status, body), LlmErrors.OpenAiType(status));

    /// <summary>OpenAI's finish reason for Gemini's.</summary>
    public static string FinishReason(string? reason) => reason switch
    {
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" => "content_filter",
        _ => "stop",
    };

    private static LlmUsage? Usage(JsonNode? metadata) => metadata is JsonObject value
        ? new LlmUsage(LlmUsage.Number(value["promptTokenCount"]), LlmUsage.Number(value["candidatesTokenCount"]) + LlmUsage.Number(value["thoughtsTokenCount"]))
        : null;

    private static JsonObject ToolCall(int index, JsonObject call) => ToolCall($"call_{index}", call["name"], call["args"]);

    /// <summary>Gemini's function calling config for OpenAI's tool_choice; null for none given.</summary>
    private static JsonObject? ToolConfig(JsonNode? choice) => choice switch
    {
        JsonValue value when (string?)value == "none" => new JsonObject { ["mode"] = "NONE" },
        JsonValue value when (string?)value == "required" => new JsonObject { ["mode"] = "ANY" },
        JsonValue value when (string?)value == "auto" => new JsonObject { ["mode"] = "AUTO" },
        JsonObject named when named["function"]?["name"] is JsonValue name => new JsonObject { ["mode"] = "ANY", ["allowedFunctionNames"] = new JsonArray(name.DeepClone()) },
        _ => null,
    };

    /// <summary>A user message's parts: text, and images (data URLs inline; other URLs as file data).</summary>
    private static JsonArray UserParts(JsonNode? content)
    {
        if (content is not JsonArray parts)
        {
            return [new JsonObject { ["text"] = Text(content) }];
        }

        var result = new JsonArray();
        foreach (var part in parts.OfType<JsonObject>())
        {
            switch ((string?)part["type"])
            {
                case "text":
                    result.Add(new JsonObject { ["text"] = part["text"]?.DeepClone() });
                    break;
                case "image_url" when ImageUrl(part) is { Length: > 0 } url:
                    result.Add(DataUrl(url) is var (mediaType, data)
                        ? new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = mediaType, ["data"] = data } }
                        : new JsonObject { ["fileData"] = new JsonObject { ["fileUri"] = url } });
                    break;
            }
        }

        return result;
    }
}
