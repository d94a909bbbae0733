namespace AgentGateway.Portal.Services;

/// <summary>The tenant's catalog of A2A agents.</summary>
internal sealed partial class AdminApiClient
{
    public Task<List<AgentInfo>> GetAgentsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<AgentInfo>>(HttpMethod.Get, TenantPath(tenant, "agents"), null, cancellationToken);

    public Task<AgentInfo> GetAgentAsync(string tenant, string agent, CancellationToken cancellationToken = default) =>
        SendAsync<AgentInfo>(HttpMethod.Get, TenantPath(tenant, $"agents/{Uri.EscapeDataString(agent)}"), null, cancellationToken);

    /// <summary>Registers an agent; its card is fetched at once, and one that cannot be read refuses the request.</summary>
    public Task<AgentInfo> CreateAgentAsync(string tenant, NewAgent agent, CancellationToken cancellationToken = default) =>
        SendAsync<AgentInfo>(HttpMethod.Post, TenantPath(tenant, "agents"), agent, cancellationToken);

    /// <summary>Changes an agent (its card is fetched again); <paramref name="version"/> guards against overwriting someone else's change.</summary>
    public Task<AgentInfo> UpdateAgentAsync(string tenant, string agent, AgentUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<AgentInfo>(HttpMethod.Put, TenantPath(tenant, $"agents/{Uri.EscapeDataString(agent)}"), update, cancellationToken, ifMatch: version);

    /// <summary>Fetches the agent's card again; a failure is kept as the agent's card error, the last good card stays.</summary>
    public Task<AgentInfo> RefreshAgentAsync(string tenant, string agent, CancellationToken cancellationToken = default) =>
        SendAsync<AgentInfo>(HttpMethod.Post, TenantPath(tenant, $"agents/{Uri.EscapeDataString(agent)}/refresh"), null, cancellationToken);

    /// <summary>Deletes an agent; refused (409) while an A2A route exposes it.</summary>
    public Task DeleteAgentAsync(string tenant, string agent, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"agents/{Uri.EscapeDataString(agent)}"), null, cancellationToken);
}
