using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>The tokens one answer used, as its provider reported them (or, <paramref name="Estimated"/>, as counted from the text).</summary>
internal readonly record struct LlmUsage(long InputTokens, long OutputTokens, bool Estimated = false)
{
    /// <summary>OpenAI's <c>usage</c> object of these tokens.</summary>
    public JsonObject ToOpenAi() => new()
    {
        ["prompt_tokens"] = InputTokens,
        ["completion_tokens"] = OutputTokens,
        ["total_tokens"] = InputTokens + OutputTokens,
    };

    /// <summary>The usage of an OpenAI <c>usage</c> object, or null.</summary>
    public static LlmUsage? FromOpenAi(JsonNode? usage) => usage is JsonObject value
        ? new LlmUsage(Number(value["prompt_tokens"]), Number(value["completion_tokens"]))
        : null;

    /// <summary>The usage of an Anthropic <c>usage</c> object (cache reads and writes count as input), or null.</summary>
    public static LlmUsage? FromAnthropic(JsonNode? usage) => usage is JsonObject value
        ? new LlmUsage(
            Number(value["input_tokens"]) + Number(value["cache_read_input_tokens"]) + Number(value["cache_creation_input_tokens"]),
            Number(value["output_tokens"]))
        : null;

    /// <summary>The usage of a Responses API <c>usage</c> object (its input tokens include the cached ones), or null.</summary>
    public static LlmUsage? FromResponses(JsonNode? usage) => usage is JsonObject value
        ? new LlmUsage(Number(value["input_tokens"]), Number(value["output_tokens"]))
        : null;

    /// <summary>
    /// A rough count for answers whose provider reports no usage: four characters of text a token, input and output.
    /// </summary>
    public static LlmUsage Estimate(long inputCharacters, long outputCharacters) => new((inputCharacters + 3) / 4, (outputCharacters + 3) / 4, Estimated: true);

    /// <summary>
    /// The characters of the strings in <paramref name="node"/> that a model reads or writes (message texts, tool
    /// names and arguments), not those of the format (roles, types, ids, finish reasons).
    /// </summary>
    public static long TextLength(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length,
        JsonArray array => array.Sum(TextLength),
        JsonObject map => map.Where(pair => !s_formatFields.Contains(pair.Key)).Sum(pair => TextLength(pair.Value)),
        _ => 0,
    };

    private static readonly HashSet<string> s_formatFields = new(StringComparer.Ordinal)
    {
        "role", "type", "id", "tool_call_id", "tool_use_id", "finish_reason", "stop_reason", "object", "model", "media_type",
    };

    /// <summary>The text a request sends: its messages, system prompt and input.</summary>
    public static long RequestTextLength(JsonObject request) =>
        TextLength(request["messages"]) + TextLength(request["system"]) + TextLength(request["input"]) + TextLength(request["instructions"]);

    public static long Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node is JsonValue other && other.TryGetValue<double>(out var real) ? (long)real
        : 0;
}
