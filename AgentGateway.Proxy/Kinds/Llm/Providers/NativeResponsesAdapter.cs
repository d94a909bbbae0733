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

    /// <summary>
    /// Why the gateway does not send <paramref name="request"/> to a provider that serves the Responses API, or null: a
    /// background response (its answer and usage would come later, past the guards and limits), and state the provider
    /// keeps that the gateway cannot tell the caller's from another's (<c>conversation</c>, <c>item_reference</c>).
    /// </summary>
    public static string? Unsupported(JsonObject request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request["background"] is JsonValue background && background.TryGetValue<bool>(out var later) && later)
        {
            return "background responses are not served through the gateway: their answers and usage would escape its guards and limits.";
        }

        if (request["conversation"] is not null)
        {
            return "conversation is not served through the gateway: continue a response by its previous_response_id.";
        }

        return request["input"] is JsonArray items && items.Any(item => (string?)(item as JsonObject)?["type"] == "item_reference")
            ? "item_reference input items are not served through the gateway: send the items themselves, or continue a response by its previous_response_id."
            : null;
    }

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
