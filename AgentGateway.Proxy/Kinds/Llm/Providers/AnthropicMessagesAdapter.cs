using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// Anthropic's Messages API to an Anthropic provider (or Claude on Vertex AI): the request as the client sent it with
/// the provider's model name, and the answer and its events as the provider sent them; the gateway reads the usage on
/// the way.
/// </summary>
internal sealed class AnthropicMessagesAdapter : ProviderAdapter
{
    public static readonly AnthropicMessagesAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var body = (JsonObject)request.DeepClone();
        if (stream)
        {
            body["stream"] = true;
        }

        return AnthropicChatAdapter.MessagesRequest(provider, body, model, stream);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request) => (answer, LlmUsage.FromAnthropic(answer["usage"]));

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        long input = 0;
        long output = 0;
        await foreach (var sse in events)
        {
            var data = ParseObject(sse.Data);
            var type = (string?)data?["type"] ?? sse.Name;
            if (type == "message_start" && LlmUsage.FromAnthropic((data?["message"] as JsonObject)?["usage"]) is { } started)
            {
                (input, output) = (started.InputTokens, started.OutputTokens);
            }
            else if (type == "message_delta" && data?["usage"] is JsonObject usage)
            {
                output = Math.Max(output, LlmUsage.Number(usage["output_tokens"]));
                input = Math.Max(input, LlmUsage.Number(usage["input_tokens"]));
            }

            state.Usage = new LlmUsage(input, output);
            yield return sse;
            if (type is "message_stop" or "error")
            {
                yield break;
            }
        }
    }

    public override JsonObject ToError(int status, string body) =>
        ParseObject(body) is { } error && error["error"] is JsonObject ? error : LlmErrors.Anthropic(PlainMessage(status, body), LlmErrors.AnthropicType(status));
}
