namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>A user's role in a tenant, keyed by the user's <c>preferred_username</c>.</summary>
internal sealed class TenantMember
{
    public Guid TenantId { get; set; }

    public required string Username { get; set; }

    public TenantRole Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Tenant? Tenant { get; set; }
}
