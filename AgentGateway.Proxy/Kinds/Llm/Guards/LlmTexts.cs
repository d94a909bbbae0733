using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Llm.Guards;

/// <summary>
/// A string in a request or answer that guards read and may replace: a property of an object, or an item of an array;
/// <paramref name="Changed"/> runs after a replacement (a string inside tool arguments writes the arguments back).
/// </summary>
internal readonly record struct TextSlot(JsonNode Container, string? Property, int Index, Action? Changed = null)
{
    public string Text => ((Property is null ? Container.AsArray()[Index] : Container.AsObject()[Property]) as JsonValue)?.GetValue<string>() ?? string.Empty;

    public void Set(string text)
    {
        if (Property is null)
        {
            Container.AsArray()[Index] = text;
        }
        else
        {
            Container.AsObject()[Property] = text;
        }

        Changed?.Invoke();
    }
}

/// <summary>Where the text guards read lives in each client API's requests and answers.</summary>
internal static class LlmTexts
{
    /// <summary>
    /// The prompt: OpenAI chat messages' content (strings and text parts), Anthropic's system and messages (text
    /// blocks and tool results), Responses instructions and input (items' text parts and function outputs), embedding
    /// inputs.
    /// </summary>
    public static List<TextSlot> Prompt(LlmClientApi api, JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var slots = new List<TextSlot>();
        if (api == LlmClientApi.OpenAiEmbeddings)
        {
            switch (request["input"])
            {
                case JsonValue value when value.TryGetValue<string>(out _):
                    slots.Add(new TextSlot(request, "input", 0));
                    break;
                case JsonArray inputs:
                    for (var index = 0; index < inputs.Count; index++)
                    {
                        if (inputs[index] is JsonValue item && item.TryGetValue<string>(out _))
                        {
                            slots.Add(new TextSlot(inputs, null, index));
                        }
                    }

                    break;
            }

            return slots;
        }

        if (api == LlmClientApi.OpenAiResponses)
        {
            Content(request, "instructions", slots);
            Content(request, "input", slots);
            ResponsesItems(request["input"], slots);
            return slots;
        }

        if (api == LlmClientApi.AnthropicMessages)
        {
            Content(request, "system", slots);
        }

        if (request["messages"] is JsonArray messages)
        {
            foreach (var message in messages.OfType<JsonObject>())
            {
                Content(message, "content", slots);
                ToolCalls(message, slots);
            }
        }

        return slots;
    }

    /// <summary>
    /// A blocking answer's text: OpenAI's choices' message content, Anthropic's text blocks, Responses' message items;
    /// and the string values of the tool calls' arguments.
    /// </summary>
    public static List<TextSlot> Answer(LlmClientApi api, JsonObject answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var slots = new List<TextSlot>();
        if (api == LlmClientApi.AnthropicMessages)
        {
            Content(answer, "content", slots);
        }
        else if (api == LlmClientApi.OpenAiResponses)
        {
            ResponsesItems(answer["output"], slots);
        }
        else if (answer["choices"] is JsonArray choices)
        {
            foreach (var message in choices.OfType<JsonObject>().Select(choice => choice["message"]).OfType<JsonObject>())
            {
                Content(message, "content", slots);
                ToolCalls(message, slots);
            }
        }

        return slots;
    }

    /// <summary>Responses items: messages' content, function outputs, and function calls' arguments.</summary>
    private static void ResponsesItems(JsonNode? items, List<TextSlot> slots)
    {
        foreach (var item in (items as JsonArray ?? []).OfType<JsonObject>())
        {
            switch ((string?)item["type"])
            {
                case "function_call_output":
                    Content(item, "output", slots);
                    break;
                case "function_call":
                    Arguments(item, "arguments", slots);
                    break;
                default:
                    Content(item, "content", slots);
                    break;
            }
        }
    }

    /// <summary>An OpenAI message's tool calls' arguments.</summary>
    private static void ToolCalls(JsonObject message, List<TextSlot> slots)
    {
        foreach (var function in (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>().Select(call => call["function"]).OfType<JsonObject>())
        {
            Arguments(function, "arguments", slots);
        }
    }

    /// <summary>
    /// The string values inside tool arguments (a JSON string), each written back into the arguments when replaced;
    /// arguments that are not JSON are one text.
    /// </summary>
    private static void Arguments(JsonObject owner, string property, List<TextSlot> slots)
    {
        if (owner[property] is not JsonValue value || !value.TryGetValue<string>(out var arguments))
        {
            return;
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(arguments);
        }
        catch (System.Text.Json.JsonException)
        {
            parsed = null;
        }

        if (parsed is JsonObject or JsonArray)
        {
            Strings(parsed, slots, () => owner[property] = parsed.ToJsonString());
        }
        else
        {
            slots.Add(new TextSlot(owner, property, 0));
        }
    }

    /// <summary>Every string value below <paramref name="node"/> (an Anthropic tool use's input, parsed arguments).</summary>
    private static void Strings(JsonNode node, List<TextSlot> slots, Action? changed)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (name, value) in map)
                {
                    if (value is JsonValue text && text.TryGetValue<string>(out _))
                    {
                        slots.Add(new TextSlot(map, name, 0, changed));
                    }
                    else if (value is not null)
                    {
                        Strings(value, slots, changed);
                    }
                }

                break;
            case JsonArray list:
                for (var index = 0; index < list.Count; index++)
                {
                    if (list[index] is JsonValue text && text.TryGetValue<string>(out _))
                    {
                        slots.Add(new TextSlot(list, null, index, changed));
                    }
                    else if (list[index] is { } item)
                    {
                        Strings(item, slots, changed);
                    }
                }

                break;
        }
    }

    /// <summary>A content string, or the text of its parts: text parts and blocks, and the content of tool results.</summary>
    private static void Content(JsonObject owner, string property, List<TextSlot> slots)
    {
        switch (owner[property])
        {
            case JsonValue value when value.TryGetValue<string>(out _):
                slots.Add(new TextSlot(owner, property, 0));
                break;
            case JsonArray parts:
                foreach (var part in parts.OfType<JsonObject>())
                {
                    switch ((string?)part["type"])
                    {
                        case "text" or "input_text" or "output_text" when part["text"] is JsonValue text && text.TryGetValue<string>(out _):
                            slots.Add(new TextSlot(part, "text", 0));
                            break;
                        case "tool_result":
                            Content(part, "content", slots);
                            break;
                        case "tool_use" when part["input"] is JsonObject input:
                            Strings(input, slots, null);
                            break;
                    }
                }

                break;
        }
    }
}
