using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Llm.Guards;

/// <summary>A string in a request or answer that guards read and may replace: a property of an object, or an item of an array.</summary>
internal readonly record struct TextSlot(JsonNode Container, string? Property, int Index)
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
            foreach (var item in (request["input"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Content(item, (string?)item["type"] == "function_call_output" ? "output" : "content", slots);
            }

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
            }
        }

        return slots;
    }

    /// <summary>A blocking answer's text: OpenAI's choices' message content, Anthropic's text blocks.</summary>
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
            foreach (var item in (answer["output"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Content(item, "content", slots);
            }
        }
        else if (answer["choices"] is JsonArray choices)
        {
            foreach (var message in choices.OfType<JsonObject>().Select(choice => choice["message"]).OfType<JsonObject>())
            {
                Content(message, "content", slots);
            }
        }

        return slots;
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
                    }
                }

                break;
        }
    }
}
