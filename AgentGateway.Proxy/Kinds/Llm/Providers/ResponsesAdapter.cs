using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Exchange;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI's Responses API on top of a chat adapter: the request becomes a Chat Completions request (instructions
/// and input items as messages, function tools and their calls and outputs, text format, output token limit), which
/// the chat adapter takes to the provider's own API; its answer comes back as a <c>response</c> object, its stream as
/// Responses events (items, content parts, text and function-call argument deltas, <c>response.completed</c> with the
/// usage). Stored responses (<c>previous_response_id</c>) are the route handler's, with <see cref="LlmResponseStore"/>.
/// </summary>
internal sealed class ResponsesAdapter(ProviderAdapter chat) : ProviderAdapter
{
    public static readonly ResponsesAdapter OpenAi = new(OpenAiChatAdapter.Instance);

    public static readonly ResponsesAdapter Anthropic = new(AnthropicChatAdapter.Instance);

    public static readonly ResponsesAdapter Gemini = new(GeminiChatAdapter.Instance);

    public static readonly ResponsesAdapter Bedrock = new(BedrockChatAdapter.Instance);

    /// <summary>Why the gateway cannot serve <paramref name="request"/>, or null.</summary>
    public static string? Unsupported(JsonObject request) => request["previous_response_id"] is { } previous && previous is not JsonValue
        ? "previous_response_id must be the id of a stored response."
        : null;

    public override bool GuardsChatChunks => true;

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream) =>
        chat.CreateRequest(provider, ToChat(request), model, stream);

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        var (completion, usage) = chat.ToAnswer(answer, model, request);
        var choice = (completion["choices"] as JsonArray)?.FirstOrDefault() as JsonObject;
        var message = choice?["message"] as JsonObject;
        var output = new JsonArray();
        // The gateway's own id: responses are stored by it (a provider's completion ids need not be unique).
        var id = $"resp_{Guid.NewGuid():N}";
        if (Text(message?["content"]) is { Length: > 0 } text)
        {
            output.Add(MessageItem($"msg_{id}", text, "completed"));
        }

        foreach (var call in (message?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var function = call["function"] as JsonObject;
            output.Add(FunctionCallItem((string?)call["id"] ?? string.Empty, (string?)function?["name"] ?? string.Empty, (string?)function?["arguments"] ?? string.Empty, "completed"));
        }

        return (Response(id, (string?)completion["model"] ?? model, LlmUsage.Number(completion["created"]), output, (string?)choice?["finish_reason"], usage), usage);
    }

    public override IAsyncEnumerable<SseEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) => chat.ReadEventsAsync(body, cancellationToken);

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        var chunks = chat.ToEventsAsync(events, state);
        if (state.ChatGuard is { } guard)
        {
            // Guards read chat deltas; the Responses events are made of what they let through.
            chunks = guard.ApplyAsync(chunks);
        }

        var sequence = 0;
        SseEvent Event(string type, JsonObject data)
        {
            data["type"] = type;
            data["sequence_number"] = sequence++;
            return Data(data, type);
        }

        string? id = null;
        var created = 0L;
        var model = state.Model;
        var output = new List<JsonObject>();
        var text = new StringBuilder();
        int? textIndex = null;
        var calls = new Dictionary<int, (int Output, StringBuilder Arguments)>();
        string? finish = null;
        var started = false;

        IEnumerable<SseEvent> Start()
        {
            started = true;
            id ??= Guid.NewGuid().ToString("N");
            var response = Response(id, model, created, [], null, null, "in_progress");
            yield return Event("response.created", new JsonObject { ["response"] = response });
            yield return Event("response.in_progress", new JsonObject { ["response"] = response.DeepClone() });
        }

        IEnumerable<SseEvent> CloseText()
        {
            if (textIndex is not { } index)
            {
                yield break;
            }

            var itemId = (string)output[index]["id"]!;
            yield return Event("response.output_text.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["text"] = text.ToString() });
            yield return Event("response.content_part.done", new JsonObject { ["item_id"] = itemId, ["output_index"] = index, ["content_index"] = 0, ["part"] = OutputText(text.ToString()) });
            output[index] = MessageItem(itemId, text.ToString(), "completed");
            yield return Event("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = output[index].DeepClone() });
            textIndex = null;
        }

        await foreach (var sse in chunks)
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
                foreach (var opening in started ? [] : Start())
                {
                    yield return opening;
                }

                yield return Event("error", new JsonObject { ["code"] = error["code"]?.DeepClone(), ["message"] = (string?)error["message"] ?? "The provider failed.", ["param"] = null });
                var failed = Response(id!, model, created, new JsonArray([.. output.Select(item => item.DeepClone())]), null, state.Usage, "failed");
                failed["error"] = new JsonObject { ["code"] = error["code"]?.DeepClone() ?? "server_error", ["message"] = (string?)error["message"] ?? "The provider failed." };
                yield return Event("response.failed", new JsonObject { ["response"] = failed });
                yield break;
            }

            id ??= $"resp_{Guid.NewGuid():N}";
            created = created == 0 ? LlmUsage.Number(chunk["created"]) : created;
            model = (string?)chunk["model"] ?? model;
            if (!started)
            {
                foreach (var opening in Start())
                {
                    yield return opening;
                }
            }

            if ((chunk["choices"] as JsonArray)?.FirstOrDefault() is not JsonObject choice)
            {
                continue;
            }

            var delta = choice["delta"] as JsonObject;
            if ((string?)delta?["content"] is { Length: > 0 } content)
            {
                if (textIndex is null)
                {
                    textIndex = output.Count;
                    var item = MessageItem($"msg_{id}_{output.Count}", null, "in_progress");
                    output.Add(item);
                    yield return Event("response.output_item.added", new JsonObject { ["output_index"] = textIndex, ["item"] = item.DeepClone() });
                    yield return Event("response.content_part.added", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = textIndex, ["content_index"] = 0, ["part"] = OutputText(string.Empty) });
                }

                text.Append(content);
                yield return Event("response.output_text.delta", new JsonObject { ["item_id"] = output[textIndex.Value]["id"]!.DeepClone(), ["output_index"] = textIndex, ["content_index"] = 0, ["delta"] = content });
            }

            foreach (var call in (delta?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var callIndex = (int)LlmUsage.Number(call["index"]);
                var function = call["function"] as JsonObject;
                if (!calls.TryGetValue(callIndex, out var open))
                {
                    foreach (var closing in CloseText())
                    {
                        yield return closing;
                    }

                    open = calls[callIndex] = (output.Count, new StringBuilder());
                    var item = FunctionCallItem((string?)call["id"] ?? $"call_{callIndex}", (string?)function?["name"] ?? string.Empty, string.Empty, "in_progress");
                    output.Add(item);
                    yield return Event("response.output_item.added", new JsonObject { ["output_index"] = open.Output, ["item"] = item.DeepClone() });
                }

                if ((string?)function?["arguments"] is { Length: > 0 } arguments)
                {
                    open.Arguments.Append(arguments);
                    yield return Event("response.function_call_arguments.delta", new JsonObject
                    {
                        ["item_id"] = output[open.Output]["id"]!.DeepClone(),
                        ["output_index"] = open.Output,
                        ["delta"] = arguments,
                    });
                }
            }

            finish = (string?)choice["finish_reason"] ?? finish;
        }

        if (!started)
        {
            foreach (var opening in Start())
            {
                yield return opening;
            }
        }

        foreach (var closing in CloseText())
        {
            yield return closing;
        }

        foreach (var (_, (index, arguments)) in calls.OrderBy(call => call.Key))
        {
            var item = output[index];
            output[index] = FunctionCallItem((string)item["call_id"]!, (string)item["name"]!, arguments.ToString(), "completed");
            yield return Event("response.function_call_arguments.done", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["arguments"] = arguments.ToString() });
            yield return Event("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = output[index].DeepClone() });
        }

        var done = Response(id!, model, created, new JsonArray([.. output.Select(item => item.DeepClone())]), finish, state.Usage);
        state.Response = done;
        yield return Event(done["status"]!.GetValue<string>() == "incomplete" ? "response.incomplete" : "response.completed", new JsonObject { ["response"] = done });
    }

    public override JsonObject ToError(int status, string body) => chat.ToError(status, body);

    /// <summary>The Chat Completions request of a Responses request.</summary>
    public static JsonObject ToChat(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = new JsonArray();
        if ((string?)request["instructions"] is { Length: > 0 } instructions)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = instructions });
        }

        switch (request["input"])
        {
            case JsonValue value when value.TryGetValue<string>(out var text):
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = text });
                break;
            case JsonArray items:
                foreach (var item in items.OfType<JsonObject>())
                {
                    AddItem(messages, item);
                }

                break;
        }

        var chat = new JsonObject { ["model"] = request["model"]?.DeepClone(), ["messages"] = messages };
        foreach (var name in (ReadOnlySpan<string>)["stream", "temperature", "top_p", "user", "parallel_tool_calls"])
        {
            Copy(request, chat, name);
        }

        Copy(request, chat, "max_output_tokens", "max_completion_tokens");
        if (request["tools"] is JsonArray tools)
        {
            var functions = new JsonArray();
            foreach (var tool in tools.OfType<JsonObject>().Where(tool => (string?)tool["type"] == "function"))
            {
                var function = new JsonObject { ["name"] = tool["name"]?.DeepClone() };
                Copy(tool, function, "description");
                Copy(tool, function, "parameters");
                Copy(tool, function, "strict");
                functions.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            if (functions.Count > 0)
            {
                chat["tools"] = functions;
            }
        }

        chat["tool_choice"] = request["tool_choice"] switch
        {
            JsonObject { } choice when (string?)choice["type"] == "function" => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = choice["name"]?.DeepClone() } },
            JsonValue choice when choice.TryGetValue<string>(out var mode) => mode,
            _ => null,
        };
        if (chat["tool_choice"] is null)
        {
            chat.Remove("tool_choice");
        }

        if (request["text"]?["format"] is JsonObject format && (string?)format["type"] is "json_schema" or "json_object")
        {
            chat["response_format"] = (string?)format["type"] == "json_object"
                ? new JsonObject { ["type"] = "json_object" }
                : new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = format["name"]?.DeepClone(), ["schema"] = format["schema"]?.DeepClone(), ["strict"] = format["strict"]?.DeepClone() },
                };
        }

        return chat;
    }

    /// <summary>One input item as chat messages: a message (text and image parts), a function call, or its output.</summary>
    private static void AddItem(JsonArray messages, JsonObject item)
    {
        switch ((string?)item["type"] ?? "message")
        {
            case "message":
                var role = (string?)item["role"] ?? "user";
                messages.Add(new JsonObject { ["role"] = role == "developer" ? "system" : role, ["content"] = Content(item["content"], role == "assistant") });
                break;
            case "function_call":
                var call = new JsonObject
                {
                    ["id"] = item["call_id"]?.DeepClone(),
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = item["name"]?.DeepClone(), ["arguments"] = item["arguments"]?.DeepClone() ?? "{}" },
                };
                if (messages.LastOrDefault() is JsonObject { } last && (string?)last["role"] == "assistant" && last["tool_calls"] is JsonArray previous)
                {
                    previous.Add(call);
                }
                else
                {
                    messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) });
                }

                break;
            case "function_call_output":
                messages.Add(new JsonObject
                {
                    ["role"] = "tool",
                    ["tool_call_id"] = item["call_id"]?.DeepClone(),
                    ["content"] = item["output"] is JsonValue output && output.TryGetValue<string>(out var result) ? result : item["output"]?.ToJsonString() ?? string.Empty,
                });
                break;
        }
    }

    /// <summary>An item's content as chat content: a string, or text and image parts (an assistant's: its text).</summary>
    private static JsonNode? Content(JsonNode? content, bool assistant)
    {
        if (content is not JsonArray parts)
        {
            return content?.DeepClone();
        }

        if (assistant)
        {
            return string.Concat(parts.OfType<JsonObject>().Select(part => (string?)part["text"]));
        }

        var chatParts = new JsonArray();
        foreach (var part in parts.OfType<JsonObject>())
        {
            switch ((string?)part["type"])
            {
                case "input_text" or "output_text" or "text":
                    chatParts.Add(new JsonObject { ["type"] = "text", ["text"] = part["text"]?.DeepClone() });
                    break;
                case "input_image" when part["image_url"] is JsonValue url:
                    chatParts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url.DeepClone(), ["detail"] = part["detail"]?.DeepClone() ?? "auto" } });
                    break;
            }
        }

        return chatParts;
    }

    private static JsonObject OutputText(string text) => new() { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() };

    private static JsonObject MessageItem(string id, string? text, string status) => new()
    {
        ["type"] = "message",
        ["id"] = id,
        ["status"] = status,
        ["role"] = "assistant",
        ["content"] = text is null ? new JsonArray() : new JsonArray(OutputText(text)),
    };

    private static JsonObject FunctionCallItem(string callId, string name, string arguments, string status) => new()
    {
        ["type"] = "function_call",
        ["id"] = $"fc_{callId}",
        ["call_id"] = callId,
        ["name"] = name,
        ["arguments"] = arguments,
        ["status"] = status,
    };

    /// <summary>A response object; a chat finish reason of "length" makes it incomplete.</summary>
    private static JsonObject Response(string id, string model, long created, JsonArray output, string? finish, LlmUsage? usage, string? status = null)
    {
        var incomplete = finish == "length";
        return new JsonObject
        {
            ["id"] = id.StartsWith("resp_", StringComparison.Ordinal) ? id : $"resp_{id}",
            ["object"] = "response",
            ["created_at"] = created > 0 ? created : DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["status"] = status ?? (incomplete ? "incomplete" : "completed"),
            ["model"] = model,
            ["output"] = output,
            ["incomplete_details"] = incomplete ? new JsonObject { ["reason"] = "max_output_tokens" } : null,
            ["error"] = null,
            ["usage"] = usage is { } used
                ? new JsonObject
                {
                    ["input_tokens"] = used.InputTokens,
                    ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                    ["output_tokens"] = used.OutputTokens,
                    ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                    ["total_tokens"] = used.InputTokens + used.OutputTokens,
                }
                : null,
        };
    }
}
