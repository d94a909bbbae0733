using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Guards;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// What one streamed answer has shown so far, shared by the adapter that translates it and the handler that
/// relays it: the usage the provider reported, and whether the client asked for a usage chunk of its own.
/// </summary>
internal sealed class StreamState(string model, bool clientWantsUsage)
{
    public string Model { get; } = model;

    /// <summary>The client set <c>stream_options.include_usage</c>: the last chunk carries the usage.</summary>
    public bool ClientWantsUsage { get; } = clientWantsUsage;

    public LlmUsage? Usage { get; set; }

    /// <summary>The characters of text and tool arguments streamed, to estimate the output when no usage comes.</summary>
    public long OutputCharacters { get; set; }

    /// <summary>
    /// Answer guards an adapter built on chat chunks applies to them before making its own events (so that what
    /// those events repeat, such as a Responses item's whole text, is what the guards let through).
    /// </summary>
    public StreamGuard? ChatGuard { get; set; }

    /// <summary>The Responses API: the stream's final response object, once sent (to be stored).</summary>
    public JsonObject? Response { get; set; }
}

/// <summary>The API a provider's model is reached with (a provider kind's, or for Vertex AI its model publisher's).</summary>
internal enum ProviderApi
{
    /// <summary>OpenAI's Chat Completions (OpenAI-compatible servers, Azure OpenAI's deployments).</summary>
    OpenAi,

    /// <summary>Anthropic's Messages (Anthropic, and Claude on Vertex AI).</summary>
    Anthropic,

    /// <summary>Google's generateContent (Gemini, and Gemini on Vertex AI).</summary>
    Gemini,

    /// <summary>AWS Bedrock's Converse.</summary>
    Converse,
}

/// <summary>
/// Speaks one provider's API on behalf of one client API: the provider's request for the client's, and the
/// provider's answer, stream and errors in the client API's shapes.
/// </summary>
internal abstract class ProviderAdapter
{
    /// <summary>The Messages API version Claude on Vertex AI takes in the body.</summary>
    public const string VertexAnthropicVersion = "vertex-2023-10-16";

    /// <summary>The API <paramref name="provider"/> serves <paramref name="model"/> with.</summary>
    public static ProviderApi ApiOf(LlmProvider provider, string model)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.Kind switch
        {
            LlmProviderKind.Anthropic => ProviderApi.Anthropic,
            LlmProviderKind.Gemini => ProviderApi.Gemini,
            LlmProviderKind.Bedrock => ProviderApi.Converse,
            LlmProviderKind.VertexAi => VertexModel(model).Publisher == "anthropic" ? ProviderApi.Anthropic : ProviderApi.Gemini,
            _ => ProviderApi.OpenAi,
        };
    }

    /// <summary>
    /// A Vertex AI target model's publisher and name: "anthropic/..." and "google/..." name it, else a Claude model
    /// ("claude-...") is Anthropic's and any other Google's.
    /// </summary>
    public static (string Publisher, string Model) VertexModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A resource name: publishers/{publisher}/models/{model}.
        if (model.StartsWith("publishers/", StringComparison.Ordinal) && model.Split('/') is [_, var owner, "models", var named])
        {
            return (owner, named);
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            return (model[..slash], model[(slash + 1)..]);
        }

        return (model.StartsWith("claude", StringComparison.OrdinalIgnoreCase) ? "anthropic" : "google", model);
    }

    /// <summary>
    /// The URL of a Vertex AI publisher model's <paramref name="method"/> below the provider's location URL; a model of
    /// a publisher other than Google and Anthropic (whose APIs the gateway speaks there) is the client's error.
    /// </summary>
    public static Uri VertexUrl(LlmProvider provider, string model, string method)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var (publisher, name) = VertexModel(model);
        if (publisher is not ("google" or "anthropic"))
        {
            throw new LlmTranslationException($"The gateway reaches Google's and Anthropic's models on Vertex AI, not publisher '{publisher}'s ('{model}').");
        }

        return new Uri($"{provider.Url.TrimEnd('/')}/publishers/{Uri.EscapeDataString(publisher)}/models/{Uri.EscapeDataString(name)}:{method}");
    }

    /// <summary>
    /// The request fields OpenAI's Chat Completions defines: an adapter to another API translates them or drops those
    /// the API has no counterpart for, and passes the others on untouched.
    /// </summary>
    protected static readonly HashSet<string> OpenAiChatFields = new(StringComparer.Ordinal)
    {
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options",
        "tools", "tool_choice", "user", "n", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
        "response_format", "seed", "parallel_tool_calls", "service_tier", "store", "metadata", "modalities", "audio",
        "prediction", "reasoning_effort", "web_search_options", "functions", "function_call",
    };

    /// <summary>A Chat Completions chunk of one choice's <paramref name="delta"/>.</summary>
    protected static JsonObject ChatChunk(string? id, long created, string model, JsonObject delta, string? finish = null) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    /// <summary>The last chunk of a stream whose client asked for the usage: no choices, the usage.</summary>
    protected static JsonObject UsageChunk(string? id, long created, string model, LlmUsage usage) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(),
        ["usage"] = usage.ToOpenAi(),
    };

    /// <summary>
    /// Whether the adapter makes its stream's events from Chat Completions chunks, which answer guards then read (see
    /// <see cref="StreamState.ChatGuard"/>), rather than from the client API's events.
    /// </summary>
    public virtual bool GuardsChatChunks => false;

    /// <summary>The provider's stream body as events: server-sent events, unless its API streams otherwise.</summary>
    public virtual IAsyncEnumerable<SseEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) => SseReader.ReadAsync(body, cancellationToken);

    /// <summary>The request to the provider for <paramref name="request"/> (not changed), asking for <paramref name="model"/>.</summary>
    public abstract HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream);

    /// <summary>
    /// The provider's blocking answer in the client API's shape, with the usage it reported; <paramref name="request"/>
    /// is the client's, for what the answer's shape depends on (the encoding of embeddings).
    /// </summary>
    public abstract (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request);

    /// <summary>The provider's stream as the client API's events, to its end marker (an error event ends it early).</summary>
    public abstract IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state);

    /// <summary>The provider's error answer in the client API's shape.</summary>
    public abstract JsonObject ToError(int status, string body);

    /// <summary>The api-version of Azure OpenAI's deployments API when its provider names none.</summary>
    public const string DefaultAzureApiVersion = "2024-10-21";

    /// <summary>
    /// The URL of <paramref name="relative"/> below the provider's base URL; for Azure OpenAI below the deployment
    /// <paramref name="model"/>, with the api-version.
    /// </summary>
    public static Uri Below(LlmProvider provider, string relative, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var url = provider.Url.TrimEnd('/');
        if (provider.Kind != LlmProviderKind.AzureOpenai)
        {
            return new Uri(url + relative);
        }

        var root = url.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? url : url + "/openai";
        var below = model is null ? relative : $"/deployments/{Uri.EscapeDataString(model)}{relative}";
        return new Uri($"{root}{below}?api-version={Uri.EscapeDataString(provider.ApiVersion.Length > 0 ? provider.ApiVersion : DefaultAzureApiVersion)}");
    }

    /// <summary>An error body the provider sent that is not in the expected shape, kept as the message.</summary>
    protected static string PlainMessage(int status, string body) =>
        body.Length == 0 ? $"The provider answered {status}." : body.Length > 2000 ? body[..2000] : body;

    /// <summary>An OpenAI tool call of a function <paramref name="name"/> with <paramref name="input"/> (an object) as its arguments.</summary>
    protected static JsonObject ToolCall(JsonNode? id, JsonNode? name, JsonNode? input) => new()
    {
        ["id"] = id?.DeepClone(),
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = name?.DeepClone(), ["arguments"] = (input ?? new JsonObject()).ToJsonString() },
    };

    /// <summary>An assistant message of <paramref name="text"/> and tool <paramref name="calls"/> (its content null when it only calls tools).</summary>
    protected static JsonObject AssistantMessage(string text, JsonArray calls)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = text.Length > 0 || calls.Count == 0 ? text : null };
        if (calls.Count > 0)
        {
            message["tool_calls"] = calls;
        }

        return message;
    }

    /// <summary>A chat completion of one choice, with the usage when the provider reported it.</summary>
    protected static (JsonObject Answer, LlmUsage? Usage) Completion(string? id, string model, JsonObject message, string? finish, LlmUsage? usage)
    {
        var completion = new JsonObject
        {
            ["id"] = id ?? $"chatcmpl-{Guid.NewGuid():N}",
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finish }),
        };
        if (usage is { } reported)
        {
            completion["usage"] = reported.ToOpenAi();
        }

        return (completion, usage);
    }

    /// <summary>
    /// A POST of <paramref name="body"/>; <paramref name="buffered"/>, it is serialized at once and sent with its
    /// length (SigV4 signs a payload's hash, and AWS wants the length with it), else written as it is sent.
    /// </summary>
    protected static HttpRequestMessage PostJson(Uri url, JsonObject body, bool buffered = false) => new(HttpMethod.Post, url)
    {
        Content = buffered ? new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body),
    };

    /// <summary>The JSON object <paramref name="text"/> holds, or null when it holds none.</summary>
    public static JsonObject? ParseObject(string text)
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

    protected static SseEvent Data(JsonObject data, string? name = null) => new(name, data.ToJsonString());

    /// <summary>A content string, or the text parts (blocks) of a content array joined.</summary>
    protected static string Text(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Where(part => (string?)part["type"] == "text").Select(part => (string?)part["text"])),
        _ => string.Empty,
    };

    /// <summary>The media type and base64 data of a data URL (<c>data:image/png;base64,...</c>); null for another URL.</summary>
    protected static (string MediaType, string Data)? DataUrl(string url)
    {
        const string Base64 = ";base64,";
        var marker = url.IndexOf(Base64, StringComparison.Ordinal);
        return url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && marker > 5 ? (url[5..marker], url[(marker + Base64.Length)..]) : null;
    }

    /// <summary>The URL of a chat content part's <c>image_url</c> (an object with a url, or the URL itself).</summary>
    protected static string ImageUrl(JsonObject part) => (part["image_url"] is JsonObject image ? image["url"] : part["image_url"]) switch
    {
        JsonValue value when value.TryGetValue<string>(out var url) => url,
        _ => string.Empty,
    };

    /// <summary>OpenAI's <c>stop</c> (a string or strings) as a list of stop sequences; null when there is none.</summary>
    protected static JsonArray? StopSequences(JsonObject chat) => chat["stop"] switch
    {
        JsonValue stop => new JsonArray(stop.DeepClone()),
        JsonArray stops => (JsonArray)stops.DeepClone(),
        _ => null,
    };

    /// <summary>
    /// Adds <paramref name="items"/> as a turn of <paramref name="role"/> (its list in <paramref name="field"/>), merged
    /// into the last turn when that has the same role: APIs other than OpenAI's want the roles to alternate.
    /// </summary>
    protected static void AddTurn(JsonArray turns, string role, string field, JsonArray items)
    {
        if (items.Count == 0)
        {
            return;
        }

        if (turns.LastOrDefault() is JsonObject last && (string?)last["role"] == role && last[field] is JsonArray existing)
        {
            foreach (var item in items.ToList())
            {
                items.Remove(item);
                existing.Add(item);
            }

            return;
        }

        turns.Add(new JsonObject { ["role"] = role, [field] = items });
    }

    /// <summary>Copies field <paramref name="name"/> when it is set, as <paramref name="target"/> (default: the same name).</summary>
    protected static void Copy(JsonObject from, JsonObject to, string name, string? target = null)
    {
        if (from[name] is { } value)
        {
            to[target ?? name] = value.DeepClone();
        }
    }

    /// <summary>A tool call's arguments (a JSON string) as the object they hold; empty when they hold none.</summary>
    protected static JsonNode Arguments(string? arguments)
    {
        try
        {
            return JsonNode.Parse(arguments is { Length: > 0 } ? arguments : "{}") ?? new JsonObject();
        }
        catch (System.Text.Json.JsonException)
        {
            return new JsonObject();
        }
    }
}
