using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Policies;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.LlmProviders;

/// <summary>A provider being registered, and the backend-auth policy that sends its API key the way its API expects.</summary>
public sealed class LlmProviderForm
{
    public string Name { get; set; } = string.Empty;

    public string Kind { get; set; } = LlmProviderKinds.OpenAi;

    public string Url { get; set; } = string.Empty;

    public int? TimeoutMs { get; set; }

    public string? Description { get; set; }

    /// <summary>Azure OpenAI: the api-version; empty takes the default.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>The tenant's secret that holds the API key; null attaches no key.</summary>
    public string? KeySecret { get; set; }

    public static string UrlHelp(string kind) => kind switch
    {
        LlmProviderKinds.Anthropic => "e.g. https://api.anthropic.com (the gateway adds /v1/messages)",
        LlmProviderKinds.AzureOpenAi => "The resource's endpoint, e.g. https://contoso.openai.azure.com; the route's target models are deployment names",
        LlmProviderKinds.Gemini => "e.g. https://generativelanguage.googleapis.com/v1beta (the gateway adds /models/{model}:generateContent)",
        _ => "The URL below which /chat/completions lives, e.g. https://api.openai.com/v1 or http://localhost:11434/v1",
    };

    /// <summary>The header an API's key goes in, as the form says it.</summary>
    public static string KeyHeader(string kind) => KeyHeaderOf(kind) is (var name, { } prefix) ? $"{name}: {prefix.Trim()}" : KeyHeaderOf(kind).Name;

    /// <summary>The header an API's key goes in, and the prefix before the key (OpenAI's bearer token).</summary>
    private static (string Name, string? Prefix) KeyHeaderOf(string kind) => kind switch
    {
        LlmProviderKinds.Anthropic => ("x-api-key", null),
        LlmProviderKinds.AzureOpenAi => ("api-key", null),
        LlmProviderKinds.Gemini => ("x-goog-api-key", null),
        _ => ("Authorization", "Bearer "),
    };

    public NewLlmProvider ToNewProvider() => new(
        Name.Trim(), Kind, Url.Trim(), TimeoutMs is > 0 ? TimeoutMs : null, string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(),
        Kind == LlmProviderKinds.AzureOpenAi && !string.IsNullOrWhiteSpace(ApiVersion) ? ApiVersion.Trim() : null);

    /// <summary>The policy that attaches <see cref="KeySecret"/> to the provider; null without a secret.</summary>
    public NewPolicy? KeyPolicy(string provider)
    {
        if (string.IsNullOrEmpty(KeySecret))
        {
            return null;
        }

        var (name, prefix) = KeyHeaderOf(Kind);
        var header = new JsonObject { ["name"] = name, ["value"] = new JsonObject { ["secretRef"] = KeySecret } };
        if (prefix is not null)
        {
            header["prefix"] = prefix;
        }

        return new NewPolicy(
            $"{provider}-key", PolicyKindCatalog.BackendAuth, $"The API key of LLM provider '{provider}'",
            new PolicyTarget(PolicyKindCatalog.LlmProviderTarget, provider), new JsonObject { ["header"] = header });
    }

    public void Reset()
    {
        Name = string.Empty;
        Url = string.Empty;
        TimeoutMs = null;
        Description = null;
        ApiVersion = null;
        KeySecret = null;
    }
}
