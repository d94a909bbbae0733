using V1 = AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.LlmProviders;

/// <summary>The kinds of LLM provider the API takes, and the proxy's kind of each.</summary>
internal static class LlmProviderKinds
{
    /// <summary>The proxy's kind of a provider kind of the API; null for one it does not have.</summary>
    public static V1.LlmProviderKind? KindOf(string? kind) => kind switch
    {
        "openai" => V1.LlmProviderKind.Openai,
        "azure-openai" => V1.LlmProviderKind.AzureOpenai,
        "anthropic" => V1.LlmProviderKind.Anthropic,
        "gemini" => V1.LlmProviderKind.Gemini,
        "bedrock" => V1.LlmProviderKind.Bedrock,
        "vertex-ai" => V1.LlmProviderKind.VertexAi,
        _ => null,
    };
}
