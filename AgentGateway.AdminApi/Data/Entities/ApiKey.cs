namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A key a tenant issued for its routes' callers. Only its SHA-256 is stored: the key is shown once, when it is
/// made. Scoped to some routes (none: every route of the tenant), it works while it is neither expired nor revoked,
/// on routes whose policies include API key authentication.
/// </summary>
internal sealed class ApiKey
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

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When a proxy last reported the key's use (never moves backwards).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
