namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// One request of an LLM route that reached a provider, as a proxy reported it, priced when it arrived. Not a config
/// change (no revision, no audit entry): usage, kept for the tenant's reports.
/// </summary>
internal sealed class LlmUsageEntry
{
    public long Id { get; set; }

    /// <summary>The proxy's id of the record, so that one sent again (after a failed report, or by the next proxy after a crash) is stored once; null for records of proxies that sent none.</summary>
    public Guid? RecordId { get; set; }

    public Guid TenantId { get; set; }

    public required string Route { get; set; }

    /// <summary>The API key the caller used; null for other callers (and for keys the tenant no longer has).</summary>
    public Guid? ApiKeyId { get; set; }

    /// <summary>The caller's subject (<c>jwt:{issuer}|{sub}</c>, <c>apikey:{id}</c>); null for anonymous callers.</summary>
    public string? Subject { get; set; }

    /// <summary>The model the client named.</summary>
    public required string Model { get; set; }

    public required string Provider { get; set; }

    public required string ProviderModel { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>The provider reported no usage: the tokens were estimated from the text.</summary>
    public bool Estimated { get; set; }

    /// <summary>What the tokens cost by the price table when the record arrived; null when the model had no price.</summary>
    public decimal? Cost { get; set; }

    public int DurationMs { get; set; }

    /// <summary>Streams: until the first chunk reached the client; null for blocking answers.</summary>
    public int? TimeToFirstTokenMs { get; set; }

    public required string Outcome { get; set; }

    public required string Api { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The proxy that reported it.</summary>
    public required string NodeId { get; set; }
}
