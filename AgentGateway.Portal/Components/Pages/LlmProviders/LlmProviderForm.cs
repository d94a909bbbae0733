using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Policies;
using AgentGateway.Portal.Services;

namespace AgentGateway.Portal.Components.Pages.LlmProviders;

/// <summary>A provider being registered, and the backend-auth policy that authenticates to it the way its API expects.</summary>
public sealed class LlmProviderForm
{
    public string Name { get; set; } = string.Empty;

    public string Kind { get; set; } = LlmProviderKinds.OpenAi;

    public string Url { get; set; } = string.Empty;

    public int? TimeoutMs { get; set; }

    public string? Description { get; set; }

    /// <summary>Azure OpenAI: the api-version; empty takes the default.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>OpenAI and Azure OpenAI: the provider serves the Responses API itself.</summary>
    public bool NativeResponses { get; set; }

    /// <summary>Whether a provider of <paramref name="kind"/> may serve the Responses API itself.</summary>
    public static bool MayServeResponses(string kind) => kind is LlmProviderKinds.OpenAi or LlmProviderKinds.AzureOpenAi;

    /// <summary>
    /// The tenant's secret that holds the API key (Bedrock: the access key id; Vertex AI: the service account key);
    /// null attaches no key (Vertex AI: its token comes from the proxy's machine).
    /// </summary>
    public string? KeySecret { get; set; }

    /// <summary>Bedrock: the secret that holds the secret access key.</summary>
    public string? SecretKeySecret { get; set; }

    /// <summary>Bedrock: the AWS region requests are signed for; empty takes the URL's (bedrock-runtime.{region}.amazonaws.com).</summary>
    public string? Region { get; set; }

    public static string UrlHelp(string kind) => kind switch
    {
        LlmProviderKinds.Anthropic => "e.g. https://api.anthropic.com (the gateway adds /v1/messages)",
        LlmProviderKinds.AzureOpenAi => "The resource's endpoint, e.g. https://contoso.openai.azure.com; the route's target models are deployment names",
        LlmProviderKinds.Gemini => "e.g. https://generativelanguage.googleapis.com/v1beta (the gateway adds /models/{model}:generateContent)",
        LlmProviderKinds.Bedrock => "e.g. https://bedrock-runtime.us-east-1.amazonaws.com; the route's target models are model or inference profile ids",
        LlmProviderKinds.VertexAi => "The location, e.g. https://us-central1-aiplatform.googleapis.com/v1/projects/{project}/locations/us-central1; models claude-... are Anthropic's, others Google's",
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
        Kind == LlmProviderKinds.AzureOpenAi && !string.IsNullOrWhiteSpace(ApiVersion) ? ApiVersion.Trim() : null,
        NativeResponses && MayServeResponses(Kind));

    /// <summary>
    /// The policy that authenticates the gateway to the provider: an API key in its API's header, Bedrock's AWS
    /// credentials (SigV4), or Vertex AI's Google access tokens; null without a secret (but for Vertex AI).
    /// </summary>
    public NewPolicy? KeyPolicy(string provider)
    {
        var spec = Kind switch
        {
            LlmProviderKinds.Bedrock when !string.IsNullOrEmpty(KeySecret) || !string.IsNullOrEmpty(SecretKeySecret) => new JsonObject
            {
                ["awsSigv4"] = new JsonObject
                {
                    ["region"] = string.IsNullOrWhiteSpace(Region) ? RegionOf(Url) : Region.Trim(),
                    ["service"] = "bedrock",
                    ["accessKeyId"] = SecretRef(KeySecret),
                    ["secretAccessKey"] = SecretRef(SecretKeySecret),
                },
            },
            LlmProviderKinds.VertexAi => new JsonObject
            {
                ["gcpAccessToken"] = string.IsNullOrEmpty(KeySecret) ? new JsonObject { ["proxyIdentity"] = true } : new JsonObject { ["serviceAccountKey"] = SecretRef(KeySecret) },
            },
            LlmProviderKinds.Bedrock => null,
            _ when string.IsNullOrEmpty(KeySecret) => null,
            _ => new JsonObject { ["header"] = Header() },
        };
        return spec is null
            ? null
            : new NewPolicy(
                $"{provider}-key", PolicyKindCatalog.BackendAuth, $"The credentials of LLM provider '{provider}'",
                new PolicyTarget(PolicyKindCatalog.LlmProviderTarget, provider), spec);
    }

    /// <summary>Why the form cannot be registered as it is (a Bedrock provider's half-given credentials); null when it can.</summary>
    public string? Problem() =>
        Kind == LlmProviderKinds.Bedrock && string.IsNullOrEmpty(KeySecret) != string.IsNullOrEmpty(SecretKeySecret)
            ? "A Bedrock provider's requests are signed with both its access key id and its secret access key: pick both secrets, or neither."
            : null;

    /// <summary>The region of a Bedrock runtime URL (<c>bedrock-runtime.{region}.amazonaws.com</c>); empty for another URL.</summary>
    public static string RegionOf(string url)
    {
        var host = Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? uri.Host : string.Empty;
        var labels = host.Split('.');
        var runtime = Array.FindIndex(labels, label => label.StartsWith("bedrock-runtime", StringComparison.OrdinalIgnoreCase));
        return runtime >= 0 && runtime + 1 < labels.Length && labels[runtime + 1] != "amazonaws" ? labels[runtime + 1] : string.Empty;
    }

    private JsonObject Header()
    {
        var (name, prefix) = KeyHeaderOf(Kind);
        var header = new JsonObject { ["name"] = name, ["value"] = SecretRef(KeySecret) };
        if (prefix is not null)
        {
            header["prefix"] = prefix;
        }

        return header;
    }

    private static JsonObject? SecretRef(string? secret) => string.IsNullOrEmpty(secret) ? null : new JsonObject { ["secretRef"] = secret };

    public void Reset()
    {
        Name = string.Empty;
        Url = string.Empty;
        TimeoutMs = null;
        Description = null;
        ApiVersion = null;
        NativeResponses = false;
        KeySecret = null;
        SecretKeySecret = null;
        Region = null;
    }
}
