using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Pipeline.Guards;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Llm.Guards;

/// <summary>
/// The answer webhooks of a stream: how they are asked about texts, and how many characters of a choice's or block's
/// text are held back for each question.
/// </summary>
internal sealed record StreamModeration(Func<IReadOnlyList<string>, Task<WebhookVerdict>> CheckAsync, int Chars);

/// <summary>
/// Applies answer guards to a stream in the client API's events (OpenAI chat chunks, Anthropic message events, OpenAI
/// Responses events, whose events that repeat a text whole say what its deltas sent). The
/// text of each choice or content block is held back until <see cref="Holdback"/> characters follow it, so that a match
/// split over deltas is masked whole, and a rejecting guard stops the stream (an error event) before the text it
/// matched is sent. Held-back text is sent, masked, before the choice's or block's end. With answer webhooks
/// (<paramref name="moderation"/>), what the guards let through is held back further, in parts of
/// <see cref="StreamModeration.Chars"/> characters (or up to the next event that is not text), each sent once the
/// webhooks let it through — as they changed it — or the stream ended with their rejection.
/// </summary>
internal sealed class StreamGuard(
    IReadOnlyList<CompiledGuard> guards, LlmClientApi api, List<(string Guard, bool Rejected)> hits, StreamModeration? moderation = null)
{
    /// <summary>How many characters of text stay unsent until more follows (a match shorter than this is seen whole).</summary>
    public const int Holdback = 48;

    /// <summary>What is held back of each choice's or block's parts: its text (part 0), its tool calls' arguments (part 1 and on).</summary>
    private readonly Dictionary<(int Index, int Part), string> _pending = [];

    /// <summary>Of each part of JSON text (tool arguments): whether what was sent of it ends inside a string, after a backslash.</summary>
    private readonly Dictionary<(int Index, int Part), (bool InString, bool Escaped)> _jsonStates = [];
    private readonly SortedDictionary<int, string> _unmoderated = [];
    private JsonObject? _lastChunk;

    /// <summary>Responses events: each output item's id, and what its deltas sent of each part (for the events that repeat it whole).</summary>
    private readonly Dictionary<int, string?> _itemIds = [];
    private readonly Dictionary<(int Index, int Part), StringBuilder> _sent = [];
    private long _sequence;

    /// <summary>The guards that acted on the stream, for metrics.</summary>
    public IReadOnlyList<(string Guard, bool Rejected)> Hits => hits;

    /// <summary>The rejection that ended the stream, if one did.</summary>
    public GuardRejection? Rejection { get; private set; }

    public async IAsyncEnumerable<SseEvent> ApplyAsync(IAsyncEnumerable<SseEvent> events)
    {
        var anthropic = api == LlmClientApi.AnthropicMessages;
        var responses = api == LlmClientApi.OpenAiResponses;
        await foreach (var sse in events)
        {
            foreach (var item in anthropic ? Anthropic(sse) : responses ? Responses(sse) : OpenAi(sse))
            {
                if (moderation is null || Rejection is not null)
                {
                    yield return responses ? Seal(item) : item;
                    continue;
                }

                var moderatedEvents = anthropic ? await ModerateAnthropicAsync(item, moderation)
                    : responses ? await ModerateResponsesAsync(item, moderation)
                    : await ModerateOpenAiAsync(item, moderation);
                foreach (var moderated in moderatedEvents)
                {
                    yield return responses ? Seal(moderated) : moderated;
                }

                if (Rejection is not null)
                {
                    break;
                }
            }

            if (Rejection is not null)
            {
                if (!anthropic && !responses)
                {
                    yield return OpenAiStream.Done;
                }

                yield break;
            }
        }
    }

    /// <summary>
    /// An OpenAI chunk past the webhooks: its choices' text is held; a chunk of text alone is not sent, any other is
    /// sent after the held text (checked), and a choice's text is checked once it reaches the part's size.
    /// </summary>
    private async Task<List<SseEvent>> ModerateOpenAiAsync(SseEvent sse, StreamModeration webhooks)
    {
        if (sse.Data == "[DONE]" || ProviderAdapter.ParseObject(sse.Data) is not { } chunk || chunk["choices"] is not JsonArray choices)
        {
            return await ReleaseAsync(webhooks, [.. _unmoderated.Keys], sse);
        }

        var textOnly = chunk["usage"] is null && choices.Count > 0;
        foreach (var choice in choices.OfType<JsonObject>())
        {
            var index = (int?)choice["index"] ?? 0;
            if (choice["delta"] is JsonObject delta && delta["content"] is JsonValue content && content.TryGetValue<string>(out var text))
            {
                if (text.Length > 0)
                {
                    _unmoderated[index] = _unmoderated.GetValueOrDefault(index, string.Empty) + text;
                }

                delta.Remove("content");
            }

            textOnly &= choice["finish_reason"] is null && (choice["delta"] as JsonObject ?? []).All(field => field.Value is null);
        }

        return textOnly
            ? await ReleaseAsync(webhooks, [.. _unmoderated.Where(held => held.Value.Length >= webhooks.Chars).Select(held => held.Key)], null)
            : await ReleaseAsync(webhooks, [.. _unmoderated.Keys], new SseEvent(sse.Name, chunk.ToJsonString()));
    }

    /// <summary>An Anthropic event past the webhooks: text deltas are held, every other event sent after the held text (checked).</summary>
    private async Task<List<SseEvent>> ModerateAnthropicAsync(SseEvent sse, StreamModeration webhooks)
    {
        if (ProviderAdapter.ParseObject(sse.Data) is { } data && (string?)data["type"] == "content_block_delta"
            && data["delta"] is JsonObject delta && (string?)delta["type"] == "text_delta")
        {
            var index = (int?)data["index"] ?? 0;
            _unmoderated[index] = _unmoderated.GetValueOrDefault(index, string.Empty) + ((string?)delta["text"] ?? string.Empty);
            return _unmoderated[index].Length >= webhooks.Chars ? await ReleaseAsync(webhooks, [index], null) : [];
        }

        return await ReleaseAsync(webhooks, [.. _unmoderated.Keys], sse);
    }

    /// <summary>A Responses event past the webhooks: output text deltas are held, every other event sent after the held text (checked).</summary>
    private async Task<List<SseEvent>> ModerateResponsesAsync(SseEvent sse, StreamModeration webhooks)
    {
        if (ProviderAdapter.ParseObject(sse.Data) is { } data && (string?)data["type"] == "response.output_text.delta")
        {
            var index = (int?)data["output_index"] ?? 0;
            if ((string?)data["delta"] is { Length: > 0 } text)
            {
                _unmoderated[index] = _unmoderated.GetValueOrDefault(index, string.Empty) + text;
            }

            return _unmoderated.GetValueOrDefault(index, string.Empty).Length >= webhooks.Chars ? await ReleaseAsync(webhooks, [index], null) : [];
        }

        return await ReleaseAsync(webhooks, [.. _unmoderated.Keys], sse);
    }

    /// <summary>
    /// The held text of <paramref name="indexes"/>, each asked about and sent as the webhooks let it through, then
    /// <paramref name="then"/>; the error event alone when they refuse one.
    /// </summary>
    private async Task<List<SseEvent>> ReleaseAsync(StreamModeration webhooks, IReadOnlyList<int> indexes, SseEvent? then)
    {
        var released = new List<SseEvent>();
        foreach (var index in indexes)
        {
            var text = _unmoderated[index];
            _unmoderated.Remove(index);
            var verdict = await webhooks.CheckAsync([text]);
            if (verdict.Rejection is { } rejection)
            {
                Rejection = rejection;
                return [ErrorEvent(rejection)];
            }

            if (verdict.Texts[0] is { Length: > 0 } allowed)
            {
                released.Add(DeltaEvent((index, 0), allowed));
            }
        }

        if (then is { } next)
        {
            released.Add(next);
        }

        return released;
    }

    /// <summary>
    /// An event of the client API that carries only more of a choice's or block's <paramref name="key"/> part: its text,
    /// or its tool call's arguments (Anthropic: its tool use's input JSON).
    /// </summary>
    private SseEvent DeltaEvent((int Index, int Part) key, string text)
    {
        if (api == LlmClientApi.OpenAiResponses)
        {
            var type = key.Part == 0 ? "response.output_text.delta" : "response.function_call_arguments.delta";
            var data = new JsonObject { ["type"] = type, ["item_id"] = _itemIds.GetValueOrDefault(key.Index), ["output_index"] = key.Index };
            if (key.Part == 0)
            {
                data["content_index"] = 0;
            }

            data["delta"] = text;
            return new SseEvent(type, data.ToJsonString());
        }

        if (api == LlmClientApi.AnthropicMessages)
        {
            var delta = key.Part == 0
                ? new JsonObject { ["type"] = "text_delta", ["text"] = text }
                : new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = text };
            return new SseEvent("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = key.Index, ["delta"] = delta }.ToJsonString());
        }

        var chunk = (JsonObject?)_lastChunk?.DeepClone() ?? new JsonObject { ["object"] = "chat.completion.chunk" };
        chunk.Remove("usage");
        var content = key.Part == 0 ? new JsonObject { ["content"] = text } : new JsonObject { ["tool_calls"] = new JsonArray(ToolArguments(key.Part, text)) };
        chunk["choices"] = new JsonArray(new JsonObject { ["index"] = key.Index, ["delta"] = content, ["finish_reason"] = null });
        return new SseEvent(null, chunk.ToJsonString());
    }

    private List<SseEvent> OpenAi(SseEvent sse)
    {
        if (sse.Data == "[DONE]")
        {
            var rest = FlushAllOpenAi().ToList();
            return Rejection is { } rejected ? [ErrorEvent(rejected)] : [.. rest, sse];
        }

        if (ProviderAdapter.ParseObject(sse.Data) is not { } chunk || chunk["choices"] is not JsonArray choices)
        {
            return [sse];
        }

        _lastChunk = chunk;
        foreach (var choice in choices.OfType<JsonObject>())
        {
            var index = (int?)choice["index"] ?? 0;
            var final = choice["finish_reason"] is JsonValue;
            var delta = choice["delta"] as JsonObject;
            if (delta?["content"] is JsonValue content && content.TryGetValue<string>(out var text))
            {
                delta["content"] = Guard((index, 0), text, final);
            }
            else if (final && Flush((index, 0)) is { Length: > 0 } rest)
            {
                Delta(choice)["content"] = rest;
            }

            // Tool calls' arguments are held back and guarded as text is, each call on its own (its JSON kept valid).
            var calls = delta?["tool_calls"] as JsonArray;
            var seen = new HashSet<int>();
            foreach (var call in calls?.OfType<JsonObject>() ?? [])
            {
                var part = 1 + ((int?)call["index"] ?? 0);
                seen.Add(part);
                if (call["function"] is JsonObject function && function["arguments"] is JsonValue arguments && arguments.TryGetValue<string>(out var piece))
                {
                    function["arguments"] = Guard((index, part), piece, final, json: true);
                }
            }

            if (final)
            {
                foreach (var (_, part) in _pending.Keys.Where(key => key.Index == index && key.Part > 0 && !seen.Contains(key.Part)).ToList())
                {
                    if (Flush((index, part)) is { Length: > 0 } arguments)
                    {
                        if (Delta(choice)["tool_calls"] is not JsonArray list)
                        {
                            Delta(choice)["tool_calls"] = list = [];
                        }

                        list.Add(ToolArguments(part, arguments));
                    }
                }
            }

            if (Rejection is { } rejection)
            {
                return [ErrorEvent(rejection)];
            }
        }

        return [new SseEvent(sse.Name, chunk.ToJsonString())];
    }

    private static JsonObject Delta(JsonObject choice) => choice["delta"] as JsonObject ?? (JsonObject)(choice["delta"] = new JsonObject());

    /// <summary>An OpenAI tool call delta of more of <paramref name="part"/>'s arguments (part n is tool call n - 1).</summary>
    private static JsonObject ToolArguments(int part, string arguments) =>
        new() { ["index"] = part - 1, ["function"] = new JsonObject { ["arguments"] = arguments } };

    /// <summary>Chunks of the text still held back (the provider ended without a finish reason), before the end marker.</summary>
    private IEnumerable<SseEvent> FlushAllOpenAi()
    {
        foreach (var key in _pending.Keys.ToList())
        {
            if (Flush(key) is { Length: > 0 } rest && _lastChunk is not null)
            {
                yield return DeltaEvent(key, rest);
            }
        }
    }

    private List<SseEvent> Anthropic(SseEvent sse)
    {
        if (ProviderAdapter.ParseObject(sse.Data) is not { } data)
        {
            return [sse];
        }

        switch ((string?)data["type"])
        {
            case "content_block_delta" when data["delta"] is JsonObject { } delta && (string?)delta["type"] == "text_delta":
                delta["text"] = Guard(((int?)data["index"] ?? 0, 0), (string?)delta["text"] ?? string.Empty, final: false);
                return Rejection is { } rejected ? [ErrorEvent(rejected)] : [new SseEvent(sse.Name, data.ToJsonString())];
            case "content_block_delta" when data["delta"] is JsonObject { } delta && (string?)delta["type"] == "input_json_delta":
                // A tool use's input, as its JSON streams: part 1 of its block.
                delta["partial_json"] = Guard(((int?)data["index"] ?? 0, 1), (string?)delta["partial_json"] ?? string.Empty, final: false, json: true);
                return Rejection is { } refused ? [ErrorEvent(refused)] : [new SseEvent(sse.Name, data.ToJsonString())];
            case "content_block_stop":
                var index = (int?)data["index"] ?? 0;
                var flushed = new List<SseEvent>();
                foreach (var part in (ReadOnlySpan<int>)[0, 1])
                {
                    if (Flush((index, part)) is { Length: > 0 } rest)
                    {
                        flushed.Add(DeltaEvent((index, part), rest));
                    }
                }

                return Rejection is { } rejection ? [ErrorEvent(rejection)] : [.. flushed, sse];
            default:
                return [sse];
        }
    }

    /// <summary>
    /// A Responses event: output text (part 0 of its output item) and function call arguments (part 1) are guarded as
    /// they stream; the held-back rest is sent before the event that ends the part, or before the response's end.
    /// </summary>
    private List<SseEvent> Responses(SseEvent sse)
    {
        if (ProviderAdapter.ParseObject(sse.Data) is not { } data || (string?)data["type"] is not { } type)
        {
            return [sse];
        }

        var index = (int?)data["output_index"] ?? 0;
        var part = type.StartsWith("response.function_call_arguments.", StringComparison.Ordinal) ? 1 : 0;
        List<SseEvent> sent;
        switch (type)
        {
            case "response.output_text.delta" or "response.function_call_arguments.delta":
                _itemIds[index] = (string?)data["item_id"];
                data["delta"] = Guard((index, part), (string?)data["delta"] ?? string.Empty, final: false, json: part == 1);
                sent = [new SseEvent(sse.Name, data.ToJsonString())];
                break;
            case "response.output_text.done" or "response.function_call_arguments.done":
                sent = Flush((index, part)) is { Length: > 0 } rest ? [DeltaEvent((index, part), rest), sse] : [sse];
                break;
            case "response.completed" or "response.incomplete" or "response.failed":
                sent = [.. _pending.Keys.ToList().Select(key => (Key: key, Held: Flush(key))).Where(held => held.Held.Length > 0).Select(held => DeltaEvent(held.Key, held.Held)), sse];
                break;
            default:
                return [sse];
        }

        return Rejection is { } rejection ? [ErrorEvent(rejection)] : sent;
    }

    /// <summary>
    /// A Responses event on its way out: its deltas are counted as sent, and an event that repeats a part whole (its
    /// done events, its output item, the final response) says what they sent; it is numbered after the events sent
    /// before it (the guards add and hold back events).
    /// </summary>
    private SseEvent Seal(SseEvent sse)
    {
        if (ProviderAdapter.ParseObject(sse.Data) is not { } data)
        {
            return sse;
        }

        var index = (int?)data["output_index"] ?? 0;
        switch ((string?)data["type"])
        {
            case "response.output_text.delta":
                Sent((index, 0)).Append((string?)data["delta"]);
                break;
            case "response.function_call_arguments.delta":
                Sent((index, 1)).Append((string?)data["delta"]);
                break;
            case "response.output_text.done":
                data["text"] = Sent((index, 0)).ToString();
                break;
            case "response.function_call_arguments.done":
                data["arguments"] = Sent((index, 1)).ToString();
                break;
            case "response.content_part.done" when data["part"] is JsonObject { } part && part["text"] is not null:
                part["text"] = Sent((index, 0)).ToString();
                break;
            case "response.output_item.done" when data["item"] is JsonObject { } item:
                SealItem(index, item);
                break;
            case "response.completed" or "response.incomplete" or "response.failed" when data["response"] is JsonObject { } final && final["output"] is JsonArray output:
                for (var item = 0; item < output.Count; item++)
                {
                    if (output[item] is JsonObject { } done)
                    {
                        SealItem(item, done);
                    }
                }

                break;
        }

        data["sequence_number"] = _sequence++;

        return new SseEvent(sse.Name, data.ToJsonString());
    }

    /// <summary>An output item as its deltas sent it: a message's text, a function call's arguments.</summary>
    private void SealItem(int index, JsonObject item)
    {
        switch ((string?)item["type"])
        {
            case "message":
                var texts = (item["content"] as JsonArray ?? []).OfType<JsonObject>().Where(part => (string?)part["type"] == "output_text").ToList();
                for (var part = 0; part < texts.Count; part++)
                {
                    texts[part]["text"] = part == 0 ? Sent((index, 0)).ToString() : string.Empty;
                }

                break;
            case "function_call":
                item["arguments"] = Sent((index, 1)).ToString();
                break;
        }
    }

    private StringBuilder Sent((int Index, int Part) key) =>
        _sent.TryGetValue(key, out var sent) ? sent : _sent[key] = new StringBuilder();

    /// <summary>
    /// The part of <paramref name="text"/> (after what is held back of its choice's or block's <paramref name="key"/>
    /// part) that can be sent now, masked; in <paramref name="json"/> text (tool arguments) masks are JSON-escaped.
    /// </summary>
    private string Guard((int Index, int Part) key, string text, bool final, bool json = false)
    {
        var pending = _pending.GetValueOrDefault(key, string.Empty) + text;
        var matches = TextGuards.Scan(guards, pending);
        if (TextGuards.Rejection(matches, "answer", hits) is { } rejection)
        {
            Rejection = rejection;
            _pending.Remove(key);
            return string.Empty;
        }

        // In JSON (tool arguments) a match is masked only inside one string, up to a quote or an escape, as the
        // arguments' string values are in a blocking answer: the arguments stay JSON. Where the sent text ends, inside
        // a string or not, is kept for the next delta.
        var start = json ? _jsonStates.GetValueOrDefault(key) : default;
        if (json)
        {
            var inside = new bool[pending.Length];
            JsonStringState(pending, start, inside);
            var clipped = new List<GuardMatch>(matches.Count);
            foreach (var match in matches)
            {
                var end = match.Start;
                while (end < match.End && inside[end] && pending[end] is not ('"' or '\\'))
                {
                    end++;
                }

                if (end > match.Start)
                {
                    clipped.Add(match with { Length = end - match.Start });
                }
            }

            matches = clipped;
        }

        // Without patterns or detectors (webhooks alone) nothing needs holding back for a match.
        var cut = final || guards.Count == 0 ? pending.Length : Math.Max(0, pending.Length - Holdback);
        foreach (var match in matches)
        {
            if (match.Start < cut && match.End > cut)
            {
                cut = match.Start;
                break;
            }
        }

        var sent = matches.Where(match => match.End <= cut).ToList();
        TextGuards.RecordMasks(sent, hits);

        _pending[key] = pending[cut..];
        if (json)
        {
            _jsonStates[key] = JsonStringState(pending.AsSpan(0, cut), start, null);
        }

        return TextGuards.Mask(pending, sent, cut, json);
    }

    /// <summary>
    /// Reads JSON text from <paramref name="state"/> (inside a string, after a backslash): which characters are a
    /// string's content (into <paramref name="inside"/>), and the state after the text.
    /// </summary>
    private static (bool InString, bool Escaped) JsonStringState(ReadOnlySpan<char> text, (bool InString, bool Escaped) state, bool[]? inside)
    {
        var (inString, escaped) = state;
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            var content = inString && (escaped || character != '"');
            if (!inString)
            {
                inString = character == '"';
            }
            else if (escaped)
            {
                escaped = false;
            }
            else if (character == '\\')
            {
                escaped = true;
            }
            else if (character == '"')
            {
                inString = false;
            }

            if (inside is not null)
            {
                inside[index] = content;
            }
        }

        return (inString, escaped);
    }

    /// <summary>The rest held back of a part of a choice or block, checked and masked; empty when a guard rejected it.</summary>
    private string Flush((int Index, int Part) key) => _pending.ContainsKey(key) ? Guard(key, string.Empty, final: true, json: key.Part > 0) : string.Empty;

    private SseEvent ErrorEvent(GuardRejection rejection) => api == LlmClientApi.OpenAiResponses
        ? api.StreamError(rejection.Message, "guardrail_violation")
        : api == LlmClientApi.AnthropicMessages
        ? new SseEvent("error", api.Error(StatusCodes.Status400BadRequest, rejection.Message, "guardrail_violation").ToJsonString())
        : new SseEvent(null, api.Error(StatusCodes.Status400BadRequest, rejection.Message, "guardrail_violation").ToJsonString());
}
