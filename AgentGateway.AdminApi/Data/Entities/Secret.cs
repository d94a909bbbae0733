namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>A value a tenant's policies reference by name (a client secret, a key): stored encrypted, never returned.</summary>
internal sealed class Secret : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>AES-256-GCM of the value, bound to the tenant and name (see <c>SecretProtector</c>).</summary>
    public required byte[] Ciphertext { get; set; }

    /// <summary>The id of the master key that encrypted it.</summary>
    public required string KeyId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
