using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI Chat Completions clients in front of AWS Bedrock's Converse API (<c>model/{model}/converse</c>, streams from
/// <c>converse-stream</c> in AWS's event stream encoding; the provider's auth signs each request with SigV4): system
/// and developer messages become <c>system</c>; user, assistant and tool messages alternating <c>messages</c> with
/// text, image (data URLs as bytes, <c>s3://</c> URLs as S3 locations), <c>toolUse</c> and <c>toolResult</c> blocks;
/// tools <c>toolConfig</c>; limits and sampling <c>inferenceConfig</c>. Request fields OpenAI does not define pass on
/// in <c>additionalModelRequestFields</c> (the model's own parameters, e.g. <c>top_k</c>); OpenAI fields Converse has
/// no counterpart for (<c>n</c>, penalties, <c>seed</c>, <c>response_format</c>, ...) are dropped.
/// </summary>
internal sealed class BedrockChatAdapter : ProviderAdapter
{
    public static readonly BedrockChatAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject chat, string model, bool stream)
    {
        var body = new JsonObject();
        var system = new JsonArray();
        var messages = new JsonArray();
        foreach (var message in (chat["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)message["role"])
            {
                case "system" or "developer":
                    if (Text(message["content"]) is { Length: > 0 } instruction)
                    {
                        system.Add(new JsonObject { ["text"] = instruction });
                    }

                    break;
                case "assistant":
                    AddTurn(messages, "assistant", "content", AssistantBlocks(message));
                    break;
                case "tool":
                    AddTurn(messages, "user", "content", [new JsonObject
                    {
                        ["toolResult"] = new JsonObject
                        {
                            ["toolUseId"] = message["tool_call_id"]?.DeepClone(),
                            ["content"] = new JsonArray(new JsonObject { ["text"] = Text(message["content"]) }),
                        },
                    }]);
                    break;
                default:
                    AddTurn(messages, "user", "content", UserBlocks(message["content"]));
                    break;
            }
        }

        if (system.Count > 0)
        {
            body["system"] = system;
        }

        body["messages"] = messages;
        var inference = new JsonObject();
        if ((chat["max_completion_tokens"] ?? chat["max_tokens"]) is { } limit)
        {
            inference["maxTokens"] = limit.DeepClone();
        }

        Copy(chat, inference, "temperature");
        Copy(chat, inference, "top_p", "topP");
        if (StopSequences(chat) is { } stops)
        {
            inference["stopSequences"] = stops;
        }

        if (inference.Count > 0)
        {
            body["inferenceConfig"] = inference;
        }

        // Converse has no "none": a request that may call no tool sends no tools, unless its conversation has tool
        // calls, which Converse takes only with a tool configuration (the request's tools, else the ones called).
        var none = chat["tool_choice"] is JsonValue choiceValue && choiceValue.TryGetValue<string>(out var named) && named == "none";
        var tools = chat["tools"] as JsonArray ?? [];
        var blocks = messages.OfType<JsonObject>().SelectMany(turn => turn["content"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var called = blocks.Select(block => (string?)block["toolUse"]?["name"]).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var history = called.Count > 0 || blocks.Any(block => block["toolResult"] is not null);
        if (tools.Count > 0 && !none)
        {
            var config = new JsonObject { ["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Select(Tool)]) };
            if (ToolChoice(chat["tool_choice"]) is { } choice)
            {
                config["toolChoice"] = choice;
            }

            body["toolConfig"] = config;
        }
        else if (history)
        {
            body["toolConfig"] = new JsonObject
            {
                ["tools"] = tools.Count > 0
                    ? new JsonArray([.. tools.OfType<JsonObject>().Select(Tool)])
                    : new JsonArray([.. called.Select(name => (JsonNode)Tool(new JsonObject { ["name"] = name }))]),
            };
        }

        var additional = new JsonObject();
        foreach (var (name, value) in chat)
        {
            if (!OpenAiChatFields.Contains(name))
            {
                additional[name] = value?.DeepClone();
            }
        }

        if (additional.Count > 0)
        {
            body["additionalModelRequestFields"] = additional;
        }

        var url = Below(provider, $"/model/{Uri.EscapeDataString(model)}/{(stream ? "converse-stream" : "converse")}");
        var request = PostJson(url, body, buffered: true);
        if (stream)
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/vnd.amazon.eventstream");
        }

        return request;
    }

    public override IAsyncEnumerable<SseEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) => AwsEventStream.ReadAsync(body, cancellationToken);

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        var text = new StringBuilder();
        var calls = new JsonArray();
        foreach (var block in (answer["output"]?["message"]?["content"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)block["text"] is { } said)
            {
                text.Append(said);
            }
            else if (block["toolUse"] is JsonObject use)
            {
                calls.Add(ToolCall(use["toolUseId"], use["name"], use["input"]));
            }
        }

        return Completion(null, model, AssistantMessage(text.ToString(), calls), FinishReason((string?)answer["stopReason"]), Usage(answer["usage"]));
    }

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var toolIndexes = new Dictionary<long, int>();
        SseEvent Chunk(JsonObject delta, string? finish = null) => Data(ChatChunk(id, created, state.Model, delta, finish));

        await foreach (var sse in events)
        {
            if (ParseObject(sse.Data) is not { } data)
            {
                continue;
            }

            switch (sse.Name)
            {
                case "messageStart":
                    yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty });
                    break;
                case "contentBlockStart" when data["start"] is JsonObject block && block["toolUse"] is JsonObject start:
                    var toolIndex = toolIndexes.Count;
                    toolIndexes[LlmUsage.Number(data["contentBlockIndex"])] = toolIndex;
                    state.OutputCharacters += LlmUsage.TextLength(start["name"]);
                    yield return Chunk(new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["index"] = toolIndex,
                            ["id"] = start["toolUseId"]?.DeepClone(),
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = start["name"]?.DeepClone(), ["arguments"] = string.Empty },
                        }),
                    });
                    break;
                case "contentBlockDelta" when data["delta"] is JsonObject delta:
                    if ((string?)delta["text"] is { Length: > 0 } said)
                    {
                        state.OutputCharacters += said.Length;
                        yield return Chunk(new JsonObject { ["content"] = said });
                    }
                    else if ((string?)delta["toolUse"]?["input"] is { } input
                        && toolIndexes.TryGetValue(LlmUsage.Number(data["contentBlockIndex"]), out var index))
                    {
                        state.OutputCharacters += input.Length;
                        yield return Chunk(new JsonObject
                        {
                            ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = index, ["function"] = new JsonObject { ["arguments"] = input } }),
                        });
                    }

                    break;
                case "messageStop":
                    yield return Chunk([], FinishReason((string?)data["stopReason"]));
                    break;
                case "metadata":
                    state.Usage = Usage(data["usage"]) ?? state.Usage;
                    if (state.ClientWantsUsage && state.Usage is { } usage)
                    {
                        yield return Data(UsageChunk(id, created, state.Model, usage));
                    }

                    yield return OpenAiStream.Done;
                    yield break;
                case "error":
                    yield return Data(LlmErrors.OpenAi((string?)data["message"] ?? "The provider failed.", "api_error", (string?)data["type"]));
                    yield break;
            }
        }

        yield return OpenAiStream.Done;
    }

    public override JsonObject ToError(int status, string body) =>
        ParseObject(body) is { } answer && ((string?)answer["message"] ?? (string?)answer["Message"]) is { } message
            ? LlmErrors.OpenAi(message, LlmErrors.OpenAiType(status))
            : LlmErrors.OpenAi(PlainMessage(status, body), LlmErrors.OpenAiType(status));

    /// <summary>OpenAI's finish reason for Converse's stop reason.</summary>
    public static string? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "guardrail_intervened" or "content_filtered" => "content_filter",
        _ => "stop",
    };

    /// <summary>The usage of a Converse <c>usage</c> object (cache reads and writes count as input), or null.</summary>
    private static LlmUsage? Usage(JsonNode? usage) => usage is JsonObject value
        ? new LlmUsage(
            LlmUsage.Number(value["inputTokens"]) + LlmUsage.Number(value["cacheReadInputTokens"]) + LlmUsage.Number(value["cacheWriteInputTokens"]),
            LlmUsage.Number(value["outputTokens"]))
        : null;

    private static JsonArray AssistantBlocks(JsonObject message)
    {
        var blocks = new JsonArray();
        if (Text(message["content"]) is { Length: > 0 } text)
        {
            blocks.Add(new JsonObject { ["text"] = text });
        }

        foreach (var call in (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var function = call["function"] as JsonObject;
            blocks.Add(new JsonObject
            {
                ["toolUse"] = new JsonObject
                {
                    ["toolUseId"] = call["id"]?.DeepClone(),
                    ["name"] = function?["name"]?.DeepClone(),
                    ["input"] = Arguments((string?)function?["arguments"]),
                },
            });
        }

        return blocks;
    }

    /// <summary>A user message's blocks: text (Converse refuses empty text blocks), and images.</summary>
    private static JsonArray UserBlocks(JsonNode? content)
    {
        if (content is not JsonArray parts)
        {
            return Text(content) is { Length: > 0 } text ? [new JsonObject { ["text"] = text }] : [];
        }

        var blocks = new JsonArray();
        foreach (var part in parts.OfType<JsonObject>())
        {
            switch ((string?)part["type"])
            {
                case "text" when (string?)part["text"] is { Length: > 0 } text:
                    blocks.Add(new JsonObject { ["text"] = text });
                    break;
                case "image_url" when ImageUrl(part) is { Length: > 0 } url:
                    blocks.Add(new JsonObject { ["image"] = Image(url) });
                    break;
            }
        }

        return blocks;
    }

    /// <summary>An image block of a data URL (its bytes) or an S3 URL (its location); Converse takes no other URL.</summary>
    private static JsonObject Image(string url)
    {
        if (DataUrl(url) is var (mediaType, data))
        {
            return new JsonObject { ["format"] = Format(mediaType), ["source"] = new JsonObject { ["bytes"] = data } };
        }

        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return new JsonObject { ["format"] = Format(Path.GetExtension(url)), ["source"] = new JsonObject { ["s3Location"] = new JsonObject { ["uri"] = url } } };
        }

        throw new LlmTranslationException($"Bedrock takes images as data URLs or s3:// URLs, not '{(url.Length > 100 ? url[..100] + "..." : url)}'.");
    }

    /// <summary>Converse's image format (png, jpeg, gif, webp) of a media type or a file extension.</summary>
    private static string Format(string type)
    {
        var format = type[(type.LastIndexOfAny(['/', '.']) + 1)..].ToLowerInvariant();
        return format == "jpg" ? "jpeg" : format;
    }

    private static JsonObject Tool(JsonObject tool)
    {
        var function = tool["function"] as JsonObject ?? tool;
        var spec = new JsonObject
        {
            ["name"] = function["name"]?.DeepClone(),
            ["inputSchema"] = new JsonObject { ["json"] = function["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" } },
        };
        Copy(function, spec, "description");
        return new JsonObject { ["toolSpec"] = spec };
    }

    private static JsonObject? ToolChoice(JsonNode? choice) => choice switch
    {
        JsonValue value when (string?)value == "auto" => new JsonObject { ["auto"] = new JsonObject() },
        JsonValue value when (string?)value == "required" => new JsonObject { ["any"] = new JsonObject() },
        JsonObject named when (named["function"] as JsonObject)?["name"] is { } name => new JsonObject { ["tool"] = new JsonObject { ["name"] = name.DeepClone() } },
        _ => null,
    };
}
