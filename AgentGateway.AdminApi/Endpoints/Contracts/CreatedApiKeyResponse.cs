using AgentGateway.AdminApi.Domain.ApiKeys;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A new API key, with the key itself: shown this once and never again (only its hash is stored).</summary>
public sealed record CreatedApiKeyResponse(
    string Key,
    Guid Id,
    string Name,
    string? Description,
    string Prefix,
    IReadOnlyList<string> Routes,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? ExpiresAt,
    string Status,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string Version,
    ApiKeyLlmLimits? Llm = null) : IVersionedResponse;
