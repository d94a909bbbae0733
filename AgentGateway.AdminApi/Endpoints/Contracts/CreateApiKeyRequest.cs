using AgentGateway.AdminApi.Domain.ApiKeys;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Routes">Names of the tenant's routes the key is for; empty or left out: every route.</param>
/// <param name="Metadata">Up to 32 attributes (names of letters, digits, '_', '.', '-'; values of at most 256 characters) that authorization rules see as apiKey.metadata.</param>
/// <param name="ExpiresAt">When the key stops working (in the future); left out, it does not expire.</param>
/// <param name="Llm">On LLM routes, its allowed models, minute limits and budget; left out: none.</param>
public sealed record CreateApiKeyRequest(
    string? Name, string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt, ApiKeyLlmLimits? Llm = null);
