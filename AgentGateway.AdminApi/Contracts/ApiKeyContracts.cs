namespace AgentGateway.AdminApi.Contracts;

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
    string Version);

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
    string Version);

/// <param name="Routes">Names of the tenant's routes the key is for; empty or left out: every route.</param>
/// <param name="Metadata">Up to 32 attributes (names of letters, digits, '_', '.', '-'; values of at most 256 characters) that authorization rules see as apiKey.metadata.</param>
/// <param name="ExpiresAt">When the key stops working (in the future); left out, it does not expire.</param>
public sealed record CreateApiKeyRequest(string? Name, string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt);

public sealed record UpdateApiKeyRequest(string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt);
