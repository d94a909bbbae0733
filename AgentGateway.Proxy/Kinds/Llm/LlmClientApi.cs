using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Providers;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>
/// An API clients call the gateway with: its error shape, and the adapter that takes its requests to each kind of
/// provider (passing through to a provider of the same API, translating to another).
/// </summary>
internal abstract class LlmClientApi
{
    public static readonly LlmClientApi OpenAiChat = new OpenAiChatApi();

    public static readonly LlmClientApi AnthropicMessages = new AnthropicMessagesApi();

    public static readonly LlmClientApi OpenAiEmbeddings = new OpenAiEmbeddingsApi();

    public static readonly LlmClientApi OpenAiResponses = new OpenAiResponsesApi();

    /// <summary>The API's name in metrics (<c>agentgateway.llm.api</c>) and call records.</summary>
    public abstract string Name { get; }

    /// <summary>What the API does in OpenTelemetry's GenAI terms (<c>gen_ai.operation.name</c>): <c>chat</c> or <c>embeddings</c>.</summary>
    public string Operation => this == OpenAiEmbeddings ? "embeddings" : "chat";

    public abstract JsonObject Error(int status, string message, string? code = null);

    /// <summary>The adapter to <paramref name="provider"/> for <paramref name="model"/>, or null when it does not serve this API.</summary>
    public virtual ProviderAdapter? AdapterFor(LlmProvider provider, string model) => AdapterFor(ProviderAdapter.ApiOf(provider, model));

    /// <summary>The adapter to a provider model of <paramref name="api"/>, or null when such models do not serve this API.</summary>
    protected abstract ProviderAdapter? AdapterFor(ProviderApi api);

    /// <summary>
    /// The event that ends a stream the provider broke (its connection failed before the stream's end), in this API's
    /// form, so the client's SDK raises an error instead of taking a cut answer for a whole one; <paramref name="code"/>
    /// names why, where the API's error has a code.
    /// </summary>
    public virtual SseEvent StreamError(string message, string code = "upstream_stream_broken") => new(null, Error(StatusCodes.Status502BadGateway, message, code).ToJsonString());

    /// <summary>Whether the client asked for the usage in its stream (Anthropic's streams always carry it).</summary>
    public abstract bool WantsStreamUsage(JsonObject request);

    private sealed class OpenAiChatApi : LlmClientApi
    {
        public override string Name => "chat.completions";

        public override JsonObject Error(int status, string message, string? code = null) => LlmErrors.OpenAi(message, LlmErrors.OpenAiType(status), code);

        protected override ProviderAdapter? AdapterFor(ProviderApi api) => api switch
        {
            ProviderApi.Anthropic => AnthropicChatAdapter.Instance,
            ProviderApi.Gemini => GeminiChatAdapter.Instance,
            ProviderApi.Converse => BedrockChatAdapter.Instance,
            _ => OpenAiChatAdapter.Instance,
        };

        public override bool WantsStreamUsage(JsonObject request) =>
            request["stream_options"] is JsonObject options && options["include_usage"] is JsonValue include && include.TryGetValue<bool>(out var wanted) && wanted;
    }

    private sealed class AnthropicMessagesApi : LlmClientApi
    {
        public override string Name => "messages";

        public override JsonObject Error(int status, string message, string? code = null) => LlmErrors.Anthropic(message, LlmErrors.AnthropicType(status));

        protected override ProviderAdapter? AdapterFor(ProviderApi api) => api switch
        {
            ProviderApi.Anthropic => AnthropicMessagesAdapter.Instance,
            ProviderApi.Gemini => OpenAiMessagesAdapter.Gemini,
            ProviderApi.Converse => OpenAiMessagesAdapter.Bedrock,
            _ => OpenAiMessagesAdapter.Instance,
        };

        public override bool WantsStreamUsage(JsonObject request) => true;

        public override SseEvent StreamError(string message, string code = "upstream_stream_broken") => new("error", Error(StatusCodes.Status502BadGateway, message).ToJsonString());
    }

    /// <summary>Why the gateway cannot serve a request of this API that is valid JSON with a model; null when it can.</summary>
    public virtual string? Unsupported(JsonObject request) => null;

    /// <summary>
    /// OpenAI's Responses API: passed through to providers that serve it (<see cref="NativeResponsesAdapter"/>), else on
    /// top of Chat Completions (see <see cref="ResponsesAdapter"/>).
    /// </summary>
    private sealed class OpenAiResponsesApi : LlmClientApi
    {
        public override string Name => "responses";

        public override ProviderAdapter? AdapterFor(LlmProvider provider, string model) =>
            provider.NativeResponses && ProviderAdapter.ApiOf(provider, model) == ProviderApi.OpenAi ? NativeResponsesAdapter.Instance : base.AdapterFor(provider, model);

        public override JsonObject Error(int status, string message, string? code = null) => LlmErrors.OpenAi(message, LlmErrors.OpenAiType(status), code);

        protected override ProviderAdapter? AdapterFor(ProviderApi api) => api switch
        {
            ProviderApi.Anthropic => ResponsesAdapter.Anthropic,
            ProviderApi.Gemini => ResponsesAdapter.Gemini,
            ProviderApi.Converse => ResponsesAdapter.Bedrock,
            _ => ResponsesAdapter.OpenAi,
        };

        // The usage comes in the response.completed event, read from the chat stream's own.
        public override bool WantsStreamUsage(JsonObject request) => false;

        public override string? Unsupported(JsonObject request) => ResponsesAdapter.Unsupported(request);

        public override SseEvent StreamError(string message, string code = "upstream_stream_broken") => new("error", new JsonObject
        {
            ["type"] = "error",
            ["code"] = code,
            ["message"] = message,
            ["param"] = null,
        }.ToJsonString());
    }

    /// <summary>
    /// OpenAI's Embeddings API: passed through to OpenAI-compatible providers, translated for Gemini (and Vertex AI's
    /// Gemini models) and Bedrock; Anthropic has none.
    /// </summary>
    private sealed class OpenAiEmbeddingsApi : LlmClientApi
    {
        private static readonly OpenAiPassthroughAdapter s_adapter = new("/embeddings");

        public override string Name => "embeddings";

        public override JsonObject Error(int status, string message, string? code = null) => LlmErrors.OpenAi(message, LlmErrors.OpenAiType(status), code);

        protected override ProviderAdapter? AdapterFor(ProviderApi api) => api switch
        {
            ProviderApi.OpenAi => s_adapter,
            ProviderApi.Gemini => GeminiEmbeddingsAdapter.Instance,
            ProviderApi.Converse => BedrockEmbeddingsAdapter.Instance,
            _ => null,
        };

        public override bool WantsStreamUsage(JsonObject request) => false;
    }
}
