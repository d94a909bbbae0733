namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>
/// Registers an LLM provider; its URL is checked against the egress policy. Its API key is a secret, sent by a
/// backend-auth policy attached to the provider (targetRef {"kind": "llm-provider", "name": ...}), e.g.
/// {"header": {"name": "Authorization", "prefix": "Bearer ", "value": {"secretRef": "openai-key"}}}, or
/// {"header": {"name": "x-api-key", ...}} for Anthropic, {"header": {"name": "api-key", ...}} for Azure OpenAI.
/// </summary>
/// <param name="Name">The provider's name in the tenant: letters, digits and '-'.</param>
public sealed record CreateLlmProviderRequest(string? Name, string? Kind, string? Url, int? TimeoutMs = null, string? Description = null, string? ApiVersion = null, bool? NativeResponses = null);
