using AgentGateway.AdminApi.Domain.ApiKeys;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A key's new settings: every field is replaced (left out: none).</summary>
public sealed record UpdateApiKeyRequest(
    string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt, ApiKeyLlmLimits? Llm = null);
