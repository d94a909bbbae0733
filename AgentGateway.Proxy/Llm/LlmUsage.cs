using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Llm;

/// <summary>The tokens one answer used, as its provider reported them.</summary>
internal readonly record struct LlmUsage(long InputTokens, long OutputTokens)
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

    public static long Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node is JsonValue other && other.TryGetValue<double>(out var real) ? (long)real
        : 0;
}
