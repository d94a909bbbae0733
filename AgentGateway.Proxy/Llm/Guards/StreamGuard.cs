using System.Text.Json.Nodes;
using AgentGateway.Proxy.Llm.Providers;

namespace AgentGateway.Proxy.Llm.Guards;

/// <summary>
/// Applies answer guards to a stream in the client API's events (OpenAI chat chunks, Anthropic message events). The
/// text of each choice or content block is held back until <see cref="Holdback"/> characters follow it, so that a match
/// split over deltas is masked whole, and a rejecting guard stops the stream (an error event) before the text it
/// matched is sent. Held-back text is sent, masked, before the choice's or block's end.
/// </summary>
internal sealed class StreamGuard(IReadOnlyList<CompiledGuard> guards, LlmClientApi api, List<(string Guard, bool Rejected)> hits)
{
    /// <summary>How many characters of text stay unsent until more follows (a match shorter than this is seen whole).</summary>
    public const int Holdback = 48;

    private readonly Dictionary<int, string> _pending = [];
    private JsonObject? _lastChunk;

    /// <summary>The guards that acted on the stream, for metrics.</summary>
    public IReadOnlyList<(string Guard, bool Rejected)> Hits => hits;

    /// <summary>The rejection that ended the stream, if one did.</summary>
    public GuardRejection? Rejection { get; private set; }

    public async IAsyncEnumerable<SseEvent> ApplyAsync(IAsyncEnumerable<SseEvent> events)
    {
        await foreach (var sse in events)
        {
            var anthropic = api == LlmClientApi.AnthropicMessages;
            var output = anthropic ? Anthropic(sse) : OpenAi(sse);
            foreach (var item in output)
            {
                yield return item;
            }

            if (Rejection is not null)
            {
                if (!anthropic)
                {
                    yield return OpenAiStream.Done;
                }

                yield break;
            }
        }
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
            if (choice["delta"] is JsonObject delta && delta["content"] is JsonValue content && content.TryGetValue<string>(out var text))
            {
                delta["content"] = Guard(index, text, final);
            }
            else if (final && Flush(index) is { Length: > 0 } rest)
            {
                (choice["delta"] as JsonObject ?? (JsonObject)(choice["delta"] = new JsonObject()))["content"] = rest;
            }

            if (Rejection is { } rejection)
            {
                return [ErrorEvent(rejection)];
            }
        }

        return [new SseEvent(sse.Name, chunk.ToJsonString())];
    }

    /// <summary>Chunks of the text still held back (the provider ended without a finish reason), before the end marker.</summary>
    private IEnumerable<SseEvent> FlushAllOpenAi()
    {
        foreach (var index in _pending.Keys.ToList())
        {
            if (Flush(index) is { Length: > 0 } rest && _lastChunk is { } template)
            {
                var chunk = (JsonObject)template.DeepClone();
                chunk.Remove("usage");
                chunk["choices"] = new JsonArray(new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["content"] = rest }, ["finish_reason"] = null });
                yield return new SseEvent(null, chunk.ToJsonString());
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
                delta["text"] = Guard((int?)data["index"] ?? 0, (string?)delta["text"] ?? string.Empty, final: false);
                return Rejection is { } rejected ? [ErrorEvent(rejected)] : [new SseEvent(sse.Name, data.ToJsonString())];
            case "content_block_stop":
                var index = (int?)data["index"] ?? 0;
                if (Flush(index) is { Length: > 0 } rest)
                {
                    var text = new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = rest } };
                    return [new SseEvent("content_block_delta", text.ToJsonString()), sse];
                }

                return Rejection is { } rejection ? [ErrorEvent(rejection)] : [sse];
            default:
                return [sse];
        }
    }

    /// <summary>The part of <paramref name="text"/> (after what is held back of its choice or block) that can be sent now, masked.</summary>
    private string Guard(int index, string text, bool final)
    {
        var pending = _pending.GetValueOrDefault(index, string.Empty) + text;
        var matches = LlmGuardSet.Scan(guards, pending);
        if (LlmGuardSet.Rejection(matches, "answer", hits) is { } rejection)
        {
            Rejection = rejection;
            _pending.Remove(index);
            return string.Empty;
        }

        var cut = final ? pending.Length : Math.Max(0, pending.Length - Holdback);
        foreach (var match in matches)
        {
            if (match.Start < cut && match.End > cut)
            {
                cut = match.Start;
                break;
            }
        }

        var sent = matches.Where(match => match.End <= cut).ToList();
        LlmGuardSet.RecordMasks(sent, hits);

        _pending[index] = pending[cut..];
        return LlmGuardSet.Mask(pending, sent, cut);
    }

    /// <summary>The rest held back of a choice or block, checked and masked; empty when a guard rejected it.</summary>
    private string Flush(int index) => _pending.ContainsKey(index) ? Guard(index, string.Empty, final: true) : string.Empty;

    private SseEvent ErrorEvent(GuardRejection rejection) => api == LlmClientApi.AnthropicMessages
        ? new SseEvent("error", api.Error(StatusCodes.Status400BadRequest, rejection.Message, "guardrail_violation").ToJsonString())
        : new SseEvent(null, api.Error(StatusCodes.Status400BadRequest, rejection.Message, "guardrail_violation").ToJsonString());
}
