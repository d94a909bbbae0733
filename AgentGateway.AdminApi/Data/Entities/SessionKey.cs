namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>A key proxies seal MCP session ids with; distributed to every proxy so sessions move between replicas.</summary>
internal sealed class SessionKey
{
    public required string Id { get; set; }

    /// <summary>32 random bytes (AES-256-GCM).</summary>
    public required byte[] Material { get; set; }

    /// <summary>Whether new session ids are sealed with it; exactly one key is primary.</summary>
    public bool IsPrimary { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
