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
    string Version,
    ApiKeyLlmLimits? Llm = null,
    decimal? BudgetSpent = null,
    DateTimeOffset? BudgetExhaustedUntil = null);

/// <summary>
/// On LLM routes, what a key may do (a virtual key). Requests and tokens per minute are counted per key across the
/// tenant's LLM routes (in Redis when the proxies have one); the budget is spend in USD by the model price table over
/// a calendar period in UTC, from the usage proxies report: once reached, the key is refused (429 budget_exceeded)
/// until the period ends, within seconds of the report that reached it.
/// </summary>
/// <param name="Models">The models the key may name; empty or left out: every model of the route.</param>
/// <param name="RequestsPerMinute">0 or left out: no limit (at most 1000000000).</param>
/// <param name="TokensPerMinute">Input and output tokens; 0 or left out: no limit.</param>
public sealed record ApiKeyLlmLimits(List<string>? Models = null, int? RequestsPerMinute = null, int? TokensPerMinute = null, ApiKeyBudget? Budget = null);

/// <param name="Amount">In USD, more than 0.</param>
/// <param name="Period">'day', 'week' (from Monday) or 'month' (the default).</param>
public sealed record ApiKeyBudget(decimal? Amount, string? Period = null);

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
    ApiKeyLlmLimits? Llm = null);

/// <param name="Routes">Names of the tenant's routes the key is for; empty or left out: every route.</param>
/// <param name="Metadata">Up to 32 attributes (names of letters, digits, '_', '.', '-'; values of at most 256 characters) that authorization rules see as apiKey.metadata.</param>
/// <param name="ExpiresAt">When the key stops working (in the future); left out, it does not expire.</param>
/// <param name="Llm">On LLM routes, its allowed models, minute limits and budget; left out: none.</param>
public sealed record CreateApiKeyRequest(
    string? Name, string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt, ApiKeyLlmLimits? Llm = null);

/// <summary>A key's new settings: every field is replaced (left out: none).</summary>
public sealed record UpdateApiKeyRequest(
    string? Description, List<string>? Routes, Dictionary<string, string>? Metadata, DateTimeOffset? ExpiresAt, ApiKeyLlmLimits? Llm = null);
