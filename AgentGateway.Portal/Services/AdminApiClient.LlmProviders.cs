namespace AgentGateway.Portal.Services;

/// <summary>The tenant's catalog of LLM providers.</summary>
internal sealed partial class AdminApiClient
{
    public Task<List<LlmProviderInfo>> GetLlmProvidersAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<LlmProviderInfo>>(HttpMethod.Get, TenantPath(tenant, "llm-providers"), null, cancellationToken);

    public Task<LlmProviderInfo> CreateLlmProviderAsync(string tenant, NewLlmProvider provider, CancellationToken cancellationToken = default) =>
        SendAsync<LlmProviderInfo>(HttpMethod.Post, TenantPath(tenant, "llm-providers"), provider, cancellationToken);

    /// <summary>Changes a provider; <paramref name="version"/> guards against overwriting someone else's change.</summary>
    public Task<LlmProviderInfo> UpdateLlmProviderAsync(string tenant, string provider, LlmProviderUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<LlmProviderInfo>(HttpMethod.Put, TenantPath(tenant, $"llm-providers/{Uri.EscapeDataString(provider)}"), update, cancellationToken, ifMatch: version);

    /// <summary>Deletes a provider; refused (409) while an LLM route serves from it or a policy is attached to it.</summary>
    public Task DeleteLlmProviderAsync(string tenant, string provider, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"llm-providers/{Uri.EscapeDataString(provider)}"), null, cancellationToken);
}
