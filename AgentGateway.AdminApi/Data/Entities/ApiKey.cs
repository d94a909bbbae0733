namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A key a tenant issued for its routes' callers. Only its SHA-256 is stored: the key is shown once, when it is
/// made. Scoped to some routes (none: every route of the tenant), it works while it is neither expired nor revoked,
/// on routes whose policies include API key authentication.
/// </summary>
internal sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The start of the key, to recognise it by (e.g. <c>agk_Xq3v9T</c>).</summary>
    public required string Prefix { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public required string Sha256 { get; set; }

    /// <summary>The names of the routes the key is for; empty: every route of the tenant.</summary>
    public List<string> Routes { get; set; } = [];

    /// <summary>Attributes authorization rules see as <c>apiKey.metadata</c>.</summary>
    public Dictionary<string, string> Metadata { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>
    /// On LLM routes, what the key may do (a virtual key): the proto JSON of <c>ApiKeyLlmLimits</c> (models, requests
    /// and tokens per minute, budget); null: only the routes' limits apply.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Llm { get; set; }

    /// <summary>While the key's spend in its budget's period has reached the budget, the end of that period.</summary>
    public DateTimeOffset? LlmBudgetExhaustedUntil { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When a proxy last reported the key's use (never moves backwards).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
