using AgentGateway.AdminApi.Domain.ApiKeys;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>An API key as the API shows it after it was made: never the key itself.</summary>
/// <param name="Prefix">The start of the key, to recognise it by.</param>
/// <param name="Routes">The routes the key is for; empty: every route of the tenant.</param>
/// <param name="Status">'active', 'expired' or 'revoked'.</param>
public sealed record ApiKeyResponse(
    Guid Id,
    string Name,
    string? Description,
    string Prefix,
    IReadOnlyList<string> Routes,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    string Status,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string Version,
    ApiKeyLlmLimits? Llm = null,
    decimal? BudgetSpent = null,
    DateTimeOffset? BudgetExhaustedUntil = null,
    long? BudgetTokens = null) : IVersionedResponse;
