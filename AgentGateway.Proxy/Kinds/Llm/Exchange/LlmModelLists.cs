using System.Globalization;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Llm.Providers;

namespace AgentGateway.Proxy.Kinds.Llm.Exchange;

/// <summary>A provider's own model list, asked for and read as OpenAI model objects.</summary>
internal static class LlmModelLists
{
    public static HttpRequestMessage CreateRequest(LlmProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        switch (provider.Kind)
        {
            case LlmProviderKind.Bedrock:
                // Bedrock lists its foundation models on its control plane's host (bedrock.{region}, not bedrock-runtime.{region}).
                var runtime = new UriBuilder(provider.Url.TrimEnd('/'));
                runtime.Host = runtime.Host.Replace("bedrock-runtime", "bedrock", StringComparison.OrdinalIgnoreCase);
                runtime.Path = runtime.Path.TrimEnd('/') + "/foundation-models";
                return new HttpRequestMessage(HttpMethod.Get, runtime.Uri);
            case LlmProviderKind.VertexAi:
                // Vertex AI's publisher models are listed on the location's host, outside any project.
                var vertex = new Uri(provider.Url);
                return new HttpRequestMessage(HttpMethod.Get, new Uri(vertex, "/v1beta1/publishers/google/models"));
            case not LlmProviderKind.Anthropic:
                // OpenAI's, Azure's and Gemini's lists are all below the base URL at /models.
                return new HttpRequestMessage(HttpMethod.Get, ProviderAdapter.Below(provider, "/models"));
        }

        var request = new HttpRequestMessage(HttpMethod.Get, ProviderAdapter.Below(provider, "/v1/models"));
        request.Headers.TryAddWithoutValidation("anthropic-version", AnthropicChatAdapter.ApiVersion);
        return request;
    }

    public static IEnumerable<JsonObject> ToOpenAi(LlmProvider provider, JsonObject answer)
    {
        ArgumentNullException.ThrowIfNull(provider);
        switch (provider.Kind)
        {
            case LlmProviderKind.Gemini:
                return Named(provider, answer["models"], model => ((string?)model["name"] ?? string.Empty).Replace("models/", string.Empty, StringComparison.Ordinal));
            case LlmProviderKind.VertexAi:
                return Named(provider, answer["publisherModels"], model => ((string?)model["name"] ?? string.Empty).Replace("publishers/google/models/", string.Empty, StringComparison.Ordinal));
            case LlmProviderKind.Bedrock:
                return Named(provider, answer["modelSummaries"], model => (string?)model["modelId"] ?? string.Empty);
        }

        var models = (answer["data"] as JsonArray ?? []).OfType<JsonObject>();
        return provider.Kind != LlmProviderKind.Anthropic
            ? models.Select(model => (JsonObject)model.DeepClone())
            : models.Select(model => new JsonObject
            {
                ["id"] = model["id"]?.DeepClone(),
                ["object"] = "model",
                ["created"] = DateTimeOffset.TryParse((string?)model["created_at"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
                    ? created.ToUnixTimeSeconds()
                    : 0,
                ["owned_by"] = provider.Name,
            });
    }

    /// <summary>OpenAI model objects of a list whose entries <paramref name="id"/> names.</summary>
    private static IEnumerable<JsonObject> Named(LlmProvider provider, JsonNode? list, Func<JsonObject, string> id) =>
        (list as JsonArray ?? []).OfType<JsonObject>().Select(model => new JsonObject
        {
            ["id"] = id(model),
            ["object"] = "model",
            ["created"] = 0,
            ["owned_by"] = provider.Name,
        });
}
