using System.Buffers.Binary;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm.Providers;

/// <summary>
/// OpenAI Embeddings clients in front of another API's embeddings: the <c>input</c> texts (a string or strings; token
/// arrays are OpenAI's alone) go in the provider's request, and its vectors come back as an OpenAI list, as floats or,
/// for <c>encoding_format: "base64"</c>, as little-endian float32 bytes in base64 (what OpenAI's clients ask for).
/// </summary>
internal abstract class EmbeddingsAdapter : ProviderAdapter
{
    public override IAsyncEnumerable<SseEvent> ToEventsAsync(IAsyncEnumerable<SseEvent> events, StreamState state) =>
        throw new NotSupportedException("Embeddings do not stream.");

    public override JsonObject ToError(int status, string body) => GeminiChatAdapter.Instance.ToError(status, body);

    /// <summary>The texts of an embeddings request's <c>input</c>.</summary>
    protected static List<string> Inputs(JsonObject request) => request["input"] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        JsonArray items when items.All(item => item is JsonValue value && value.TryGetValue<string>(out _)) => [.. items.Select(item => item!.GetValue<string>())],
        _ => throw new LlmTranslationException("This provider embeds texts: 'input' must be a string or an array of strings (token arrays are OpenAI's alone)."),
    };

    /// <summary>The OpenAI list of <paramref name="vectors"/>, encoded as the request asked; the usage as reported, or null.</summary>
    protected static (JsonObject Answer, LlmUsage? Usage) List(IReadOnlyList<JsonArray> vectors, string model, long? tokens, JsonObject request)
    {
        var base64 = request["encoding_format"] is JsonValue format && format.TryGetValue<string>(out var encoding) && encoding == "base64";
        var data = new JsonArray();
        for (var index = 0; index < vectors.Count; index++)
        {
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = index, ["embedding"] = base64 ? Base64(vectors[index]) : vectors[index].DeepClone() });
        }

        var answer = new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = model };
        if (tokens is not { } count)
        {
            return (answer, null);
        }

        answer["usage"] = new JsonObject { ["prompt_tokens"] = count, ["total_tokens"] = count };
        return (answer, new LlmUsage(count, 0));
    }

    private static string Base64(JsonArray vector)
    {
        var bytes = new byte[vector.Count * 4];
        for (var index = 0; index < vector.Count; index++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(index * 4), (float)(vector[index]?.GetValue<double>() ?? 0));
        }

        return Convert.ToBase64String(bytes);
    }
}

/// <summary>
/// Gemini's embeddings: <c>models/{model}:batchEmbedContents</c> (the Gemini API, which reports no tokens: they are
/// estimated) or, on Vertex AI, the model's <c>:predict</c> (whose statistics count them); <c>dimensions</c> is
/// <c>outputDimensionality</c>.
/// </summary>
internal sealed class GeminiEmbeddingsAdapter : EmbeddingsAdapter
{
    public static readonly GeminiEmbeddingsAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var inputs = Inputs(request);
        if (provider.Kind == LlmProviderKind.VertexAi)
        {
            if (inputs.Count > 1 && VertexModel(model).Model.StartsWith("gemini-embedding", StringComparison.Ordinal))
            {
                throw new LlmTranslationException($"Vertex AI's '{model}' embeds one text a request: send 'input' as one string.");
            }

            var body = new JsonObject { ["instances"] = new JsonArray([.. inputs.Select(text => (JsonNode)new JsonObject { ["content"] = text })]) };
            if (request["dimensions"] is { } size)
            {
                body["parameters"] = new JsonObject { ["outputDimensionality"] = size.DeepClone() };
            }

            return PostJson(VertexUrl(provider, model, "predict"), body);
        }

        var requests = new JsonArray();
        foreach (var text in inputs)
        {
            var item = new JsonObject { ["model"] = $"models/{model}", ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) } };
            Copy(request, item, "dimensions", "outputDimensionality");
            requests.Add(item);
        }

        return PostJson(Below(provider, $"/models/{Uri.EscapeDataString(model)}:batchEmbedContents"), new JsonObject { ["requests"] = requests });
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        if (answer["predictions"] is JsonArray predictions)
        {
            var embeddings = predictions.OfType<JsonObject>().Select(prediction => prediction["embeddings"] as JsonObject).ToList();
            return List([.. embeddings.Select(embedding => embedding?["values"] as JsonArray ?? [])], model,
                embeddings.Sum(embedding => LlmUsage.Number(embedding?["statistics"]?["token_count"])), request);
        }

        return List([.. (answer["embeddings"] as JsonArray ?? []).OfType<JsonObject>().Select(embedding => embedding["values"] as JsonArray ?? [])], model, null, request);
    }
}

/// <summary>
/// Bedrock's embedding models through InvokeModel (<c>model/{model}/invoke</c>, signed like Converse): Cohere's
/// (<c>cohere.embed-...</c>: the texts in one call, <c>input_type</c> as the client gives it or search_document) and
/// Amazon Titan's (<c>amazon.titan-embed-...</c>: one text a call, <c>dimensions</c> as asked, its tokens counted).
/// </summary>
internal sealed class BedrockEmbeddingsAdapter : EmbeddingsAdapter
{
    public static readonly BedrockEmbeddingsAdapter Instance = new();

    public override HttpRequestMessage CreateRequest(LlmProvider provider, JsonObject request, string model, bool stream)
    {
        var inputs = Inputs(request);
        JsonObject body;
        if (model.Contains("cohere.embed", StringComparison.Ordinal))
        {
            body = new JsonObject
            {
                ["texts"] = new JsonArray([.. inputs.Select(text => (JsonNode?)text)]),
                ["input_type"] = request["input_type"]?.DeepClone() ?? "search_document",
            };
        }
        else if (model.Contains("titan-embed", StringComparison.Ordinal))
        {
            if (inputs.Count != 1)
            {
                throw new LlmTranslationException("Amazon Titan embeds one text a request: send 'input' as one string.");
            }

            body = new JsonObject { ["inputText"] = inputs[0] };
            Copy(request, body, "dimensions");
        }
        else
        {
            throw new LlmTranslationException($"The gateway embeds with Bedrock's Cohere (cohere.embed-...) and Titan (amazon.titan-embed-...) models, not '{model}'.");
        }

        return PostJson(Below(provider, $"/model/{Uri.EscapeDataString(model)}/invoke"), body, buffered: true);
    }

    public override (JsonObject Answer, LlmUsage? Usage) ToAnswer(JsonObject answer, string model, JsonObject request)
    {
        if (answer["embedding"] is JsonArray vector)
        {
            return List([vector], model, LlmUsage.Number(answer["inputTextTokenCount"]), request);
        }

        // Cohere: the vectors, or by type when embedding_types was asked for.
        var vectors = answer["embeddings"] is JsonObject byType ? byType["float"] as JsonArray : answer["embeddings"] as JsonArray;
        return List([.. (vectors ?? []).OfType<JsonArray>()], model, null, request);
    }

    public override JsonObject ToError(int status, string body) => BedrockChatAdapter.Instance.ToError(status, body);
}
