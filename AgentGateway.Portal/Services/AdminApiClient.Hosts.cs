namespace AgentGateway.Portal.Services;

/// <summary>Hosts: a tenant's claims, and the platform-wide list platform admins assign, transfer and grant.</summary>
internal sealed partial class AdminApiClient
{
    public Task<List<HostClaimInfo>> GetTenantHostsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<HostClaimInfo>>(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/hosts", null, cancellationToken);

    public Task<HostClaimInfo> ClaimHostAsync(string tenant, string host, CancellationToken cancellationToken = default) =>
        SendAsync<HostClaimInfo>(HttpMethod.Post, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/hosts", new { host }, cancellationToken);

    public Task ReleaseTenantHostAsync(string tenant, string host, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}/hosts/{Uri.EscapeDataString(host)}", null, cancellationToken);

    public Task<List<HostClaimInfo>> GetHostsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<HostClaimInfo>>(HttpMethod.Get, "api/v1/hosts", null, cancellationToken);

    /// <summary>Assigns <paramref name="host"/> to <paramref name="tenant"/> (taking it from its holder), granted whole or not.</summary>
    public Task<HostClaimInfo> AssignHostAsync(string host, string tenant, bool granted, CancellationToken cancellationToken = default) =>
        SendAsync<HostClaimInfo>(HttpMethod.Put, $"api/v1/hosts/{Uri.EscapeDataString(host)}", new { tenant, granted }, cancellationToken);

    public Task ReleaseHostAsync(string host, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/hosts/{Uri.EscapeDataString(host)}", null, cancellationToken);
}
