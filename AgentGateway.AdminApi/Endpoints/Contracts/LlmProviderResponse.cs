namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>An LLM provider of the tenant's catalog.</summary>
/// <param name="Kind">
/// 'openai' (OpenAI's API and every server that speaks it: Ollama, vLLM, Mistral, Groq, Azure OpenAI's v1 API,
/// Gemini's OpenAI endpoint, ...), 'azure-openai' (Azure OpenAI's deployments API: the targets' models are deployment
/// names), 'anthropic', 'gemini' (Google's Gemini API, https://generativelanguage.googleapis.com/v1beta; key in
/// x-goog-api-key), 'bedrock' (AWS Bedrock's Converse API, https://bedrock-runtime.{region}.amazonaws.com; requests
/// signed by an awsSigv4 backend-auth with service "bedrock") or 'vertex-ai' (Google Vertex AI's Gemini and Claude
/// models, https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}; a gcpAccessToken
/// backend-auth).
/// </param>
/// <param name="Url">The API's base URL: for OpenAI-compatible servers the one below which /chat/completions lives (https://api.openai.com/v1), for Azure OpenAI the resource's endpoint (https://contoso.openai.azure.com), for Anthropic https://api.anthropic.com.</param>
/// <param name="ApiVersion">Azure OpenAI: the deployments API's api-version; null takes 2024-10-21.</param>
/// <param name="NativeResponses">
/// 'openai' and 'azure-openai' only: the provider serves OpenAI's Responses API itself ({url}/responses; Azure OpenAI
/// {url}/openai/v1/responses), so Responses requests go to it as sent and it keeps their conversations; false serves the
/// Responses API on top of its Chat Completions.
/// </param>
/// <param name="TimeoutMs">How long one try may take to answer (a stream: its first byte); null takes 300000.</param>
/// <param name="Routes">The LLM routes that serve models from the provider (a provider in use cannot be deleted).</param>
public sealed record LlmProviderResponse(
    string Name,
    string Kind,
    string Url,
    int? TimeoutMs,
    string? Description,
    IReadOnlyList<string> Routes,
    string? ApiVersion,
    bool NativeResponses,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version) : IVersionedResponse;
