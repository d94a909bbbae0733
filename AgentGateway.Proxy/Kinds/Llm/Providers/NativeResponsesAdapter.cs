using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI's Responses API to a provider that serves it itself (<see cref="LlmProvider.NativeResponses"/>): the request
/// as the client sent it (built-in tools, reasoning and fields the gateway does not know included) with the provider's
/// model name, its answer and events as it sent them. The usage is read from the answer and from the stream's final
/// <c>response.*</c> event, whose response is kept for the route's stored responses.
/// </summary>
internal sealed class NativeResponsesAdapter : ProviderAdapter
{
    public static readonly NativeResponsesAdapter Instance = new();

    /// <summary>The events that end a Responses stream, each with the final response.</summary>
    private static readonly HashSet<string> s_final = new(StringComparer.Ordinal) { "response.completed", "response.incomplete", "response.failed" };

    /// <summary>The URL of the Responses API (<paramref name="relative"/> below it) of a provider that serves it.</summary>
    public static Uri Url(LlmProvider provider, string relative = "")
    {
        ArgumentNullException.ThrowIfNull(provider);
        var url = provider.Url.TrimEnd('/');
        if (provider.Kind != LlmProviderKind.AzureOpenai)
        {
            return new Uri($"{url}/responses{relative}");
        }

        // Azure OpenAI's v1 API: no deployment in the path (the model names it) and no api-version.
        var root = url.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? url : url + "/openai";
        return new Uri($"{root}/v1/responses{relative}");
    }

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var body = (JsonObject)request.DeepClone();
        body["model"] = model;
        return PostJson(Url(provider), body);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request) =>
        (answer, LlmUsage.FromResponses(answer["usage"]));

    public override async IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state)
    {
        await foreach (var sse in events)
        {
            if (ParseObject(sse.Data) is { } data && (string?)data["type"] is { } type)
            {
                if (type is "response.output_text.delta" or "response.function_call_arguments.delta" or "response.refusal.delta")
                {
                    state.OutputCharacters += LlmUsage.TextLength(data["delta"]);
                }
                else if (s_final.Contains(type) && data["response"] is JsonObject response)
                {
                    state.Usage = LlmUsage.FromResponses(response["usage"]) ?? state.Usage;
                    state.Response = response;
                }
            }

            yield return sse;
        }
    }

    public override JsonObject ToError(int status, string body) => OpenAiChatAdapter.Instance.ToError(status, body);

    /// <summary>The response of a Responses stream's final event; null for any other event.</summary>
    public static JsonObject? FinalResponse(SseEvent sse) =>
        ParseObject(sse.Data) is { } data && (string?)data["type"] is { } type && s_final.Contains(type) ? data["response"] as JsonObject : null;
}
