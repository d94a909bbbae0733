using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI and every server that speaks its API: the request goes as the client sent it (fields the gateway does not
/// know included) with the provider's model name; a stream asks for usage, whose chunk the client gets only if it
/// asked for it too.
/// </summary>
internal sealed class OpenAiChatAdapter : ProviderAdapter
{
    public static readonly OpenAiChatAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject chat, string model, bool stream)
    {
        var body = (JsonObject)chat.DeepClone();
        body["model"] = model;
        if (stream)
        {
            var options = body["stream_options"] as JsonObject ?? [];
            options["include_usage"] = true;
            body["stream_options"] = options;
        }

        return PostJson(Below(provider, "/chat/completions", model), body);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request) => (answer, LlmUsage.FromOpenAi(answer["usage"]));

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        await foreach (var sse in events)
        {
            if (sse.Data == "[DONE]")
            {
                break;
            }

            if (ParseObject(sse.Data) is not { } chunk)
            {
                continue;
            }

            state.OutputCharacters += LlmUsage.TextLength((chunk["choices"] as JsonArray)?.FirstOrDefault()?["delta"]);
            if (LlmUsage.FromOpenAi(chunk["usage"]) is { } usage)
            {
                state.Usage = usage;
                if (!state.ClientWantsUsage && chunk["choices"] is JsonArray { Count: 0 })
                {
                    continue;
                }

                if (!state.ClientWantsUsage)
                {
                    chunk.Remove("usage");
                    yield return Data(chunk);
                    continue;
                }
            }

            // The provider's chunk as it sent it when nothing of it changed (and it is one line, as the client gets it).
            yield return sse.Data.Contains('\n', StringComparison.Ordinal) ? Data(chunk) : sse;
        }

        yield return OpenAiStream.Done;
    }

    public override JsonObject ToError(int status, string body) =>
        ParseObject(body) is { } error && error["error"] is JsonObject ? error : LlmErrors.OpenAi(PlainMessage(status, body), LlmErrors.OpenAiType(status));
}

/// <summary>The framing of OpenAI streams.</summary>
internal static class OpenAiStream
{
    /// <summary>The last event of every stream.</summary>
    public static readonly SseEvent Done = new(null, "[DONE]");
}
