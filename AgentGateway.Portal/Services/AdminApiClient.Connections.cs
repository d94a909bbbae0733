namespace AgentGateway.Portal.Services;

/// <summary>The token vault: the signed-in user's authorizations of tenants' backends, and a tenant's view of its users'.</summary>
internal sealed partial class AdminApiClient
{
    public Task<List<UserConnectionInfo>> GetMyConnectionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<UserConnectionInfo>>(HttpMethod.Get, "api/v1/me/connections", null, cancellationToken);

    /// <summary>Where to send the user's browser to authorize the tenant's policy for themselves.</summary>
    public async Task<Uri> AuthorizeConnectionAsync(string tenant, string policy, CancellationToken cancellationToken = default) =>
        (await SendAsync<ConnectionAuthorization>(HttpMethod.Post, "api/v1/me/connections/authorize", new { tenant, policy }, cancellationToken)).AuthorizationUrl;

    /// <summary>Completes the user's authorization with what the authorization server sent back.</summary>
    public Task<UserConnectionInfo> CompleteConnectionAsync(string code, string state, CancellationToken cancellationToken = default) =>
        SendAsync<UserConnectionInfo>(HttpMethod.Post, "api/v1/me/connections/complete", new { code, state }, cancellationToken);

    public Task DisconnectAsync(string tenant, string policy, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/me/connections/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(policy)}", null, cancellationToken);

    public Task<List<UserConnectionInfo>> GetTenantConnectionsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<UserConnectionInfo>>(HttpMethod.Get, TenantPath(tenant, "connections"), null, cancellationToken);

    public Task RemoveTenantConnectionAsync(string tenant, Guid connection, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"connections/{connection}"), null, cancellationToken);
}
