using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Llm.Providers;

/// <summary>
/// What one streamed answer has shown so far, shared by the adapter that translates it and the handler that
/// relays it: the usage the provider reported, and whether the client asked for a usage chunk of its own.
/// </summary>
internal sealed class ChatStreamState(string model, bool clientWantsUsage)
{
    public string Model { get; } = model;

    /// <summary>The client set <c>stream_options.include_usage</c>: the last chunk carries the usage.</summary>
    public bool ClientWantsUsage { get; } = clientWantsUsage;

    public LlmUsage? Usage { get; set; }
}

/// <summary>
/// Speaks one provider's API on behalf of an OpenAI Chat Completions request: the provider's request, and its
/// answer, stream and errors in OpenAI's shapes.
/// </summary>
internal abstract class ChatAdapter
{
    /// <summary>The adapter of a provider kind.</summary>
    public static ChatAdapter For(LlmProviderKind kind) => kind switch
    {
        LlmProviderKind.Anthropic => AnthropicChatAdapter.Instance,
        _ => OpenAiChatAdapter.Instance,
    };

    /// <summary>The request to the provider for <paramref name="chat"/> (not changed), asking for <paramref name="model"/>.</summary>
    public abstract HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject chat, string model, bool stream);

    /// <summary>The provider's blocking answer as a <c>chat.completion</c>, with the usage it reported.</summary>
    public abstract (JsonObject Completion, LlmUsage? Usage) ToCompletion(JsonObject answer, string model);

    /// <summary>The provider's stream as <c>chat.completion.chunk</c> objects (an <c>{"error"}</c> object ends it early).</summary>
    public abstract IAsyncEnumerable<JsonObject> ToChunksAsync(IAsyncEnumerable<SseEvent> events, ChatStreamState state);

    /// <summary>The provider's error answer in OpenAI's shape.</summary>
    public abstract JsonObject ToError(int status, string body);

    /// <summary>The request for the provider's model list.</summary>
    public abstract HttpRequestMessage CreateModelsRequest(LlmProvider provider);

    /// <summary>The provider's model list as OpenAI model objects.</summary>
    public abstract IEnumerable<JsonObject> ToModels(JsonObject answer, string provider);

    /// <summary>The URL of <paramref name="relative"/> below the provider's base URL.</summary>
    protected static Uri Below(LlmProvider provider, string relative) => new(provider.Url.TrimEnd('/') + relative);

    /// <summary>An error body the provider sent that is not JSON, kept as the message.</summary>
    protected static JsonObject PlainError(int status, string body) =>
        LlmErrors.Body(body.Length == 0 ? $"The provider answered {status}." : body.Length > 2000 ? body[..2000] : body, LlmErrors.TypeOf(status));

    protected static JsonObject? ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
