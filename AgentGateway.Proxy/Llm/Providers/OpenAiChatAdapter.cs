using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Llm.Providers;

/// <summary>
/// OpenAI and every server that speaks its API: the request goes as the client sent it (fields the gateway does not
/// know included) with the provider's model name; a stream asks for usage, whose chunk the client gets only if it
/// asked for it too.
/// </summary>
internal sealed class OpenAiChatAdapter : ChatAdapter
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

        return new HttpRequestMessage(HttpMethod.Post, Below(provider, "/chat/completions")) { Content = JsonContent.Create(body) };
    }

    public override (JsonObject Completion, LlmUsage? Usage) ToCompletion(JsonObject answer, string model) => (answer, LlmUsage.FromOpenAi(answer["usage"]));

    public override async IAsyncEnumerable<JsonObject> ToChunksAsync(IAsyncEnumerable<SseEvent> events, ChatStreamState state)
    {
        await foreach (var sse in events)
        {
            if (sse.Data == "[DONE]")
            {
                yield break;
            }

            if (ParseObject(sse.Data) is not { } chunk)
            {
                continue;
            }

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
                }
            }

            yield return chunk;
        }
    }

    public override JsonObject ToError(int status, string body) => ParseObject(body) is { } error && error["error"] is JsonObject ? error : PlainError(status, body);

    public override HttpRequestMessage CreateModelsRequest(LlmProvider provider) => new(HttpMethod.Get, Below(provider, "/models"));

    public override IEnumerable<JsonObject> ToModels(JsonObject answer, string provider) =>
        (answer["data"] as JsonArray ?? []).OfType<JsonObject>().Select(model => (JsonObject)model.DeepClone());
}
