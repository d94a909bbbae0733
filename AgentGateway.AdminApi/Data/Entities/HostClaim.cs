namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A host (or wildcard host) one tenant holds: only its routes may name a host it covers. The first route to name a
/// host claims it for its tenant, or a tenant claims it outright; a platform admin may assign, transfer or release
/// it. A claim alone keeps the tenant's routes under <c>/{tenant}</c>; a <see cref="Granted"/> one gives the tenant
/// every path of the host.
/// </summary>
internal sealed class HostClaim
{
    public Guid Id { get; set; }

    /// <summary>The host pattern, lower case: <c>api.example.com</c> or <c>*.example.com</c>. Unique.</summary>
    public required string Host { get; set; }

    public Guid TenantId { get; set; }

    public Tenant? Tenant { get; set; }

    /// <summary>Whether a platform admin gave the tenant every path of the host (sent to proxies as a <c>HostGrant</c>).</summary>
    public bool Granted { get; set; }

    public required string ClaimedBy { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>The platform admin who last granted the host, or assigned or transferred the claim.</summary>
    public string? AssignedBy { get; set; }

    public DateTimeOffset? AssignedAt { get; set; }
}
