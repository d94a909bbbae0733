using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// Anthropic's Messages API on top of a chat adapter (an OpenAI-compatible provider, or Gemini or Bedrock through
/// their chat adapters): the system prompt becomes a system message, text and image blocks become content parts,
/// <c>tool_use</c> blocks become tool calls and <c>tool_result</c> blocks tool messages; the completion, its chunks
/// and its errors come back as a message, Messages API events and Anthropic errors. Fields the Messages API does not
/// define pass through untouched to an OpenAI provider; Anthropic fields without an OpenAI counterpart
/// (<c>top_k</c>, <c>thinking</c>, cache control, ...) are dropped.
/// </summary>
internal sealed class OpenAiMessagesAdapter(ProviderAdapter chat) : ProviderAdapter
{
    public static readonly OpenAiMessagesAdapter Instance = new(OpenAiChatAdapter.Instance);

    public static readonly OpenAiMessagesAdapter Gemini = new(GeminiChatAdapter.Instance);

    public static readonly OpenAiMessagesAdapter Bedrock = new(BedrockChatAdapter.Instance);

    private static readonly HashSet<string> s_anthropicFields = new(StringComparer.Ordinal)
    {
        "model", "messages", "system", "max_tokens", "stop_sequences", "temperature", "top_p", "top_k", "stream", "tools",
        "tool_choice", "metadata", "thinking", "service_tier", "container", "mcp_servers", "context_management",
    };

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var messages = new JsonArray();
        if (Text(request["system"]) is { Length: > 0 } system)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        foreach (var message in (request["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)message["role"] == "assistant")
            {
                messages.Add(Assistant(message["content"]));
                continue;
            }

            // Tool results answer the previous assistant's calls: as tool messages, ahead of the user's own content.
            var parts = new JsonArray();
            foreach (var block in Blocks(message["content"]))
            {
                switch ((string?)block["type"])
                {
                    case "tool_result":
                        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = block["tool_use_id"]?.DeepClone(), ["content"] = Text(block["content"]) });
                        break;
                    case "text":
                        parts.Add(new JsonObject { ["type"] = "text", ["text"] = block["text"]?.DeepClone() });
                        break;
                    case "image" when block["source"] is JsonObject source:
                        var url = (string?)source["type"] == "base64" ? $"data:{(string?)source["media_type"]};base64,{(string?)source["data"]}" : (string?)source["url"];
                        parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
                        break;
                }
            }

            if (parts.Count > 0)
            {
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = parts.Count == 1 && (string?)parts[0]!["type"] == "text" ? parts[0]!["text"]!.DeepClone() : parts });
            }
        }

        var body = new JsonObject { ["model"] = model, ["messages"] = messages };
        Copy(request, body, "max_tokens");
        Copy(request, body, "temperature");
        Copy(request, body, "top_p");
        Copy(request, body, "stop_sequences", "stop");
        if ((request["metadata"] as JsonObject)?["user_id"] is { } user)
        {
            body["user"] = user.DeepClone();
        }

        if (request["tools"] is JsonArray tools)
        {
            body["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Where(tool => tool["input_schema"] is not null).Select(tool => new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = tool["name"]?.DeepClone(),
                    ["description"] = tool["description"]?.DeepClone(),
                    ["parameters"] = tool["input_schema"]?.DeepClone(),
                },
            })]);
        }

        if (request["tool_choice"] is JsonObject choice)
        {
            body["tool_choice"] = (string?)choice["type"] switch
            {
                "any" => "required",
                "none" => "none",
                "tool" => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = choice["name"]?.DeepClone() } },
                _ => "auto",
            };
            if (choice["disable_parallel_tool_use"] is JsonValue disable && disable.TryGetValue<bool>(out var disabled) && disabled)
            {
                body["parallel_tool_calls"] = false;
            }
        }

        if (stream)
        {
            // The chat adapter asks the provider for the stream's usage.
            body["stream"] = true;
        }

        foreach (var (name, value) in request)
        {
            if (!s_anthropicFields.Contains(name))
            {
                body[name] = value?.DeepClone();
            }
        }

        return chat.CreateRequest(provider, body, model, stream);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject providerAnswer, string model, JsonObject request)
    {
        var (answer, _) = chat.ToAnswer(providerAnswer, model, request);
        var choice = (answer["choices"] as JsonArray)?.FirstOrDefault() as JsonObject;
        var message = choice?["message"] as JsonObject;
        var content = new JsonArray();
        if ((string?)message?["content"] is { Length: > 0 } text)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }

        foreach (var call in (message?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var function = call["function"] as JsonObject;
            content.Add(new JsonObject
            {
                ["type"] = "tool_use",
                ["id"] = call["id"]?.DeepClone(),
                ["name"] = function?["name"]?.DeepClone(),
                ["input"] = Arguments((string?)function?["arguments"]),
            });
        }

        var usage = LlmUsage.FromOpenAi(answer["usage"]);
        return (new JsonObject
        {
            ["id"] = answer["id"]?.DeepClone(),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = answer["model"]?.DeepClone() ?? model,
            ["content"] = content,
            ["stop_reason"] = StopReason((string?)choice?["finish_reason"]),
            ["stop_sequence"] = null,
            ["usage"] = Usage(usage ?? new LlmUsage(0, 0)),
        }, usage);
    }

    public override IAsyncEnumerable<SseEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) => chat.ReadEventsAsync(body, cancellationToken);

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        var started = false;
        var blocks = 0;
        string? open = null;
        var tools = new Dictionary<int, int>();
        string? stopReason = null;
        SseEvent Event(string name, JsonObject data)
        {
            data["type"] = name;
            return Data(data, name);
        }

        SseEvent Start(string? id, string model) => Event("message_start", new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = Usage(new LlmUsage(0, 0)),
            },
        });

        await foreach (var sse in chat.ToEventsAsync(events, state))
        {
            if (sse.Data == "[DONE]")
            {
                break;
            }

            if (ParseObject(sse.Data) is not { } chunk)
            {
                continue;
            }

            if (chunk["error"] is JsonObject error)
            {
                yield return Event("error", new JsonObject { ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = (string?)error["message"] ?? "The provider failed." } });
                yield break;
            }

            if (!started)
            {
                started = true;
                yield return Start((string?)chunk["id"], (string?)chunk["model"] ?? state.Model);
            }

            if (LlmUsage.FromOpenAi(chunk["usage"]) is { } usage)
            {
                state.Usage = usage;
            }

            if ((chunk["choices"] as JsonArray)?.FirstOrDefault() is not JsonObject choice)
            {
                continue;
            }

            // The chat adapter counted the streamed characters already.
            var delta = choice["delta"] as JsonObject;
            if ((string?)delta?["content"] is { Length: > 0 } text)
            {
                if (open != "text")
                {
                    if (open is not null)
                    {
                        yield return Event("content_block_stop", new JsonObject { ["index"] = blocks - 1 });
                    }

                    open = "text";
                    yield return Event("content_block_start", new JsonObject { ["index"] = blocks++, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty } });
                }

                yield return Event("content_block_delta", new JsonObject { ["index"] = blocks - 1, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text } });
            }

            foreach (var call in (delta?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var callIndex = (int)LlmUsage.Number(call["index"]);
                var function = call["function"] as JsonObject;
                if (!tools.TryGetValue(callIndex, out var block))
                {
                    if (open is not null)
                    {
                        yield return Event("content_block_stop", new JsonObject { ["index"] = blocks - 1 });
                    }

                    open = "tool";
                    block = tools[callIndex] = blocks++;
                    yield return Event("content_block_start", new JsonObject
                    {
                        ["index"] = block,
                        ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = call["id"]?.DeepClone(), ["name"] = function?["name"]?.DeepClone(), ["input"] = new JsonObject() },
                    });
                }

                if ((string?)function?["arguments"] is { Length: > 0 } arguments)
                {
                    yield return Event("content_block_delta", new JsonObject { ["index"] = block, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = arguments } });
                }
            }

            if ((string?)choice["finish_reason"] is { } finish)
            {
                stopReason = StopReason(finish);
            }
        }

        if (!started)
        {
            yield return Start(null, state.Model);
        }

        if (open is not null)
        {
            yield return Event("content_block_stop", new JsonObject { ["index"] = blocks - 1 });
        }

        var used = state.Usage ?? new LlmUsage(0, 0);
        yield return Event("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason ?? "end_turn", ["stop_sequence"] = null },
            ["usage"] = Usage(used),
        });
        yield return Event("message_stop", []);
    }

    public override JsonObject ToError(int status, string body) =>
        LlmErrors.Anthropic((string?)chat.ToError(status, body)["error"]?["message"] ?? PlainMessage(status, body), LlmErrors.AnthropicType(status));

    /// <summary>Anthropic's stop reason for OpenAI's finish reason.</summary>
    public static string? StopReason(string? finishReason) => finishReason switch
    {
        null => null,
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    private static JsonObject Usage(LlmUsage usage) => new() { ["input_tokens"] = usage.InputTokens, ["output_tokens"] = usage.OutputTokens };

    private static JsonObject Assistant(JsonNode? content)
    {
        var text = new StringBuilder();
        var calls = new JsonArray();
        foreach (var block in Blocks(content))
        {
            if ((string?)block["type"] == "text")
            {
                text.Append((string?)block["text"]);
            }
            else if ((string?)block["type"] == "tool_use")
            {
                calls.Add(new JsonObject
                {
                    ["id"] = block["id"]?.DeepClone(),
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = block["name"]?.DeepClone(), ["arguments"] = (block["input"] ?? new JsonObject()).ToJsonString() },
                });
            }
        }

        var message = new JsonObject { ["role"] = "assistant", ["content"] = text.Length > 0 ? text.ToString() : null };
        if (calls.Count > 0)
        {
            message["tool_calls"] = calls;
        }

        return message;
    }

    /// <summary>A content string as one text block, or the content's blocks.</summary>
    private static IEnumerable<JsonObject> Blocks(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => [new JsonObject { ["type"] = "text", ["text"] = text }],
        JsonArray blocks => blocks.OfType<JsonObject>(),
        _ => [],
    };
}
