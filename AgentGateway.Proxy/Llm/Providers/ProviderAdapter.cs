using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Llm.Providers;

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
    public Guards.StreamGuard? ChatGuard { get; set; }
}

/// <summary>
/// Speaks one provider's API on behalf of one client API: the provider's request for the client's, and the
/// provider's answer, stream and errors in the client API's shapes.
/// </summary>
internal abstract class ProviderAdapter
{
    /// <summary>The request to the provider for <paramref name="request"/> (not changed), asking for <paramref name="model"/>.</summary>
    public abstract HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream);

    /// <summary>The provider's blocking answer in the client API's shape, with the usage it reported.</summary>
    public abstract (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model);

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

    /// <summary>OpenAI's <c>stop</c> (a string or strings) as a list of stop sequences; null when there is none.</summary>
    protected static JsonArray? StopSequences(JsonObject chat) => chat["stop"] switch
    {
        JsonValue stop => new JsonArray(stop.DeepClone()),
        JsonArray stops => (JsonArray)stops.DeepClone(),
        _ => null,
    };

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
