using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// An OpenAI API without a streamed answer (embeddings) to an OpenAI-compatible provider: the request as the client
/// sent it with the provider's model name, the answer as the provider sent it.
/// </summary>
internal sealed class OpenAiPassthroughAdapter(string path) : ProviderAdapter
{
    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var body = (JsonObject)request.DeepClone();
        body["model"] = model;
        return PostJson(Below(provider, path, model), body);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request) => (answer, LlmUsage.FromOpenAi(answer["usage"]));

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        await foreach (var sse in events)
        {
            yield return sse;
        }
    }

    public override JsonObject ToError(int status, string body) => OpenAiChatAdapter.Instance.ToError(status, body);
}
