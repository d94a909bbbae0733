using System.Globalization;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Llm.Providers;

namespace AgentGateway.Proxy.Llm;

/// <summary>A provider's own model list, asked for and read as OpenAI model objects.</summary>
internal static class LlmModelLists
{
    public static HttpRequestMessage CreateRequest(LlmProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Kind != LlmProviderKind.Anthropic)
        {
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
        if (provider.Kind == LlmProviderKind.Gemini)
        {
            return (answer["models"] as JsonArray ?? []).OfType<JsonObject>().Select(model => new JsonObject
            {
                ["id"] = ((string?)model["name"] ?? string.Empty).Replace("models/", string.Empty, StringComparison.Ordinal),
                ["object"] = "model",
                ["created"] = 0,
                ["owned_by"] = provider.Name,
            });
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
}
