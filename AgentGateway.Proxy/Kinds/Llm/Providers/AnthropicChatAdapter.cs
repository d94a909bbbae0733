using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// Anthropic's Messages API behind OpenAI Chat Completions: system and developer messages become the system prompt,
/// tool calls and results become <c>tool_use</c> and <c>tool_result</c> blocks, images become image blocks, and the
/// answer, its stream and its errors come back in OpenAI's shapes. Fields OpenAI does not define pass through to
/// Anthropic untouched; OpenAI fields Anthropic has no counterpart for (<c>n</c>, penalties, <c>seed</c>, ...) are
/// dropped.
/// </summary>
internal sealed class AnthropicChatAdapter : ProviderAdapter
{
    public static readonly AnthropicChatAdapter Instance = new();

    /// <summary>The Messages API version sent when the request names none.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <summary>Anthropic requires max_tokens; OpenAI does not.</summary>
    public const int DefaultMaxTokens = 4096;

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject chat, string model, bool stream)
    {
        var body = new JsonObject { ["model"] = model };
        var (system, messages) = Messages(chat["messages"] as JsonArray ?? []);
        if (system is not null)
        {
            body["system"] = system;
        }

        body["messages"] = messages;
        body["max_tokens"] = (chat["max_completion_tokens"] ?? chat["max_tokens"])?.DeepClone() ?? DefaultMaxTokens;
        Copy(chat, body, "temperature");
        Copy(chat, body, "top_p");
        if (StopSequences(chat) is { } stops)
        {
            body["stop_sequences"] = stops;
        }

        if (chat["tools"] is JsonArray tools)
        {
            body["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Select(Tool)]);
        }

        if (ToolChoice(chat["tool_choice"], chat["parallel_tool_calls"]) is { } choice)
        {
            body["tool_choice"] = choice;
        }

        if (chat["user"] is JsonValue user)
        {
            body["metadata"] = new JsonObject { ["user_id"] = user.DeepClone() };
        }

        if (stream)
        {
            body["stream"] = true;
        }

        foreach (var (name, value) in chat)
        {
            if (!OpenAiChatFields.Contains(name))
            {
                body[name] = value?.DeepClone();
            }
        }

        return MessagesRequest(provider, body, model, stream);
    }

    /// <summary>
    /// The request of a Messages API <paramref name="body"/> for <paramref name="model"/>: to Anthropic at
    /// <c>/v1/messages</c> with its version header; to Claude on Vertex AI at the model's <c>rawPredict</c> (a stream's
    /// <c>streamRawPredict</c>), the model in the URL and the version in the body.
    /// </summary>
    public static HttpRequestMessage MessagesRequest(LlmProvider provider, JsonObject body, string model, bool stream)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(body);
        if (provider.Kind == LlmProviderKind.VertexAi)
        {
            body.Remove("model");
            body["anthropic_version"] ??= VertexAnthropicVersion;
            return PostJson(VertexUrl(provider, model, stream ? "streamRawPredict" : "rawPredict"), body);
        }

        body["model"] = model;
        var request = PostJson(Below(provider, "/v1/messages"), body);
        request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        return request;
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        var text = new System.Text.StringBuilder();
        var calls = new JsonArray();
        foreach (var block in (answer["content"] as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)block["type"])
            {
                case "text":
                    text.Append((string?)block["text"]);
                    break;
                case "tool_use":
                    calls.Add(ToolCall(block["id"], block["name"], block["input"]));
                    break;
            }
        }

        return Completion((string?)answer["id"], (string?)answer["model"] ?? model, AssistantMessage(text.ToString(), calls),
            FinishReason((string?)answer["stop_reason"]), LlmUsage.FromAnthropic(answer["usage"]));
    }

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        string? id = null;
        var model = state.Model;
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long input = 0;
        long output = 0;
        var toolIndexes = new Dictionary<int, int>();
        SseEvent Chunk(JsonObject delta, string? finish = null) => Data(ChatChunk(id, created, model, delta, finish));

        await foreach (var sse in events)
        {
            if (ParseObject(sse.Data) is not { } data)
            {
                continue;
            }

            switch ((string?)data["type"] ?? sse.Name)
            {
                case "message_start":
                    var message = data["message"] as JsonObject;
                    id = (string?)message?["id"];
                    model = (string?)message?["model"] ?? model;
                    if (LlmUsage.FromAnthropic(message?["usage"]) is { } started)
                    {
                        (input, output) = (started.InputTokens, started.OutputTokens);
                    }

                    yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty });
                    break;
                case "content_block_start" when data["content_block"] is JsonObject { } block && (string?)block["type"] == "tool_use":
                    var toolIndex = toolIndexes.Count;
                    toolIndexes[(int)LlmUsage.Number(data["index"])] = toolIndex;
                    yield return Chunk(new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["index"] = toolIndex,
                            ["id"] = block["id"]?.DeepClone(),
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = block["name"]?.DeepClone(), ["arguments"] = string.Empty },
                        }),
                    });
                    break;
                case "content_block_delta" when data["delta"] is JsonObject { } delta:
                    if ((string?)delta["type"] == "text_delta")
                    {
                        yield return Chunk(new JsonObject { ["content"] = delta["text"]?.DeepClone() });
                    }
                    else if ((string?)delta["type"] == "input_json_delta" && toolIndexes.TryGetValue((int)LlmUsage.Number(data["index"]), out var index))
                    {
                        yield return Chunk(new JsonObject
                        {
                            ["tool_calls"] = new JsonArray(new JsonObject
                            {
                                ["index"] = index,
                                ["function"] = new JsonObject { ["arguments"] = delta["partial_json"]?.DeepClone() },
                            }),
                        });
                    }

                    break;
                case "message_delta":
                    if (data["usage"] is JsonObject usage)
                    {
                        output = Math.Max(output, LlmUsage.Number(usage["output_tokens"]));
                        input = Math.Max(input, LlmUsage.Number(usage["input_tokens"]));
                    }

                    state.Usage = new LlmUsage(input, output);
                    yield return Chunk([], FinishReason((string?)(data["delta"] as JsonObject)?["stop_reason"]));
                    break;
                case "message_stop":
                    state.Usage = new LlmUsage(input, output);
                    if (state.ClientWantsUsage)
                    {
                        yield return Data(UsageChunk(id, created, model, state.Usage.Value));
                    }

                    yield return OpenAiStream.Done;
                    yield break;
                case "error":
                    yield return Data(ToError(StatusCodes.Status500InternalServerError, sse.Data));
                    yield break;
            }
        }
    }

    public override JsonObject ToError(int status, string body) =>
        ParseObject(body) is { } answer && answer["error"] is JsonObject error
            ? LlmErrors.OpenAi((string?)error["message"] ?? PlainMessage(status, string.Empty), (string?)error["type"] ?? LlmErrors.OpenAiType(status))
            : LlmErrors.OpenAi(PlainMessage(status, body), LlmErrors.OpenAiType(status));

    /// <summary>OpenAI's finish reason for Anthropic's stop reason.</summary>
    public static string? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>The system prompt (system and developer messages' text) and the alternating user/assistant messages.</summary>
    private static (string? System, JsonArray Messages) Messages(JsonArray chat)
    {
        var system = new List<string>();
        var messages = new JsonArray();
        foreach (var message in chat.OfType<JsonObject>())
        {
            var role = (string?)message["role"];
            if (role is "system" or "developer")
            {
                system.Add(Text(message["content"]));
                continue;
            }

            var (anthropicRole, blocks) = role switch
            {
                "assistant" => ("assistant", AssistantBlocks(message)),
                "tool" => ("user", new JsonArray(new JsonObject
                {
                    ["type"] = "tool_result",
                    ["tool_use_id"] = message["tool_call_id"]?.DeepClone(),
                    ["content"] = Text(message["content"]),
                })),
                _ => ("user", UserBlocks(message["content"])),
            };

            // Anthropic wants the roles to alternate: consecutive messages of one role (tool results) are merged.
            if (messages.Count > 0 && messages[^1] is JsonObject previous && (string?)previous["role"] == anthropicRole)
            {
                var content = (JsonArray)previous["content"]!;
                foreach (var block in blocks.ToList())
                {
                    blocks.Remove(block);
                    content.Add(block);
                }

                continue;
            }

            messages.Add(new JsonObject { ["role"] = anthropicRole, ["content"] = blocks });
        }

        return (system.Count > 0 ? string.Join("\n\n", system) : null, messages);
    }

    private static JsonArray AssistantBlocks(JsonObject message)
    {
        var blocks = new JsonArray();
        if (Text(message["content"]) is { Length: > 0 } text)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var function = call["function"] as JsonObject;
            blocks.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = call["id"]?.DeepClone(),
                ["name"] = function?["name"]?.DeepClone(),
                ["input"] = Arguments((string?)function?["arguments"]),
            });
        }

        return blocks;
    }

    private static JsonArray UserBlocks(JsonNode? content)
    {
        if (content is not JsonArray parts)
        {
            return new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Text(content) });
        }

        var blocks = new JsonArray();
        foreach (var part in parts.OfType<JsonObject>())
        {
            switch ((string?)part["type"])
            {
                case "text":
                    blocks.Add(new JsonObject { ["type"] = "text", ["text"] = part["text"]?.DeepClone() });
                    break;
                case "image_url":
                    blocks.Add(new JsonObject { ["type"] = "image", ["source"] = ImageSource(ImageUrl(part)) });
                    break;
            }
        }

        return blocks;
    }

    /// <summary>A data URL becomes a base64 source; any other URL a URL source.</summary>
    private static JsonObject ImageSource(string url) => DataUrl(url) is var (mediaType, data)
        ? new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = data }
        : new JsonObject { ["type"] = "url", ["url"] = url };

    private static JsonObject Tool(JsonObject tool)
    {
        var function = tool["function"] as JsonObject ?? tool;
        var result = new JsonObject
        {
            ["name"] = function["name"]?.DeepClone(),
            ["input_schema"] = function["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object" },
        };
        if (function["description"] is { } description)
        {
            result["description"] = description.DeepClone();
        }

        return result;
    }

    private static JsonObject? ToolChoice(JsonNode? choice, JsonNode? parallel)
    {
        var result = choice switch
        {
            JsonValue value when (string?)value == "auto" => new JsonObject { ["type"] = "auto" },
            JsonValue value when (string?)value == "required" => new JsonObject { ["type"] = "any" },
            JsonValue value when (string?)value == "none" => new JsonObject { ["type"] = "none" },
            JsonObject named when (named["function"] as JsonObject)?["name"] is { } name => new JsonObject { ["type"] = "tool", ["name"] = name.DeepClone() },
            _ => null,
        };
        if (parallel is JsonValue flag && flag.TryGetValue<bool>(out var allowed) && !allowed)
        {
            result ??= new JsonObject { ["type"] = "auto" };
            if ((string?)result["type"] != "none")
            {
                result["disable_parallel_tool_use"] = true;
            }
        }

        return result;
    }
}
