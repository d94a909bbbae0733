namespace AgentGateway.Portal.Services;

/// <summary>The security resources of a tenant (secrets, policies, API keys, roles and bindings, tool pins) and the egress allowlist.</summary>
internal sealed partial class AdminApiClient
{
    public Task<List<SecretInfo>> GetSecretsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<SecretInfo>>(HttpMethod.Get, TenantPath(tenant, "secrets"), null, cancellationToken);

    /// <summary>Creates or replaces a secret; the value is sent once and never returned.</summary>
    public Task<SecretInfo> PutSecretAsync(string tenant, string secret, SecretUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync<SecretInfo>(HttpMethod.Put, TenantPath(tenant, $"secrets/{Uri.EscapeDataString(secret)}"), update, cancellationToken);

    public Task DeleteSecretAsync(string tenant, string secret, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"secrets/{Uri.EscapeDataString(secret)}"), null, cancellationToken);

    public Task<List<PolicyInfo>> GetPoliciesAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<PolicyInfo>>(HttpMethod.Get, TenantPath(tenant, "policies"), null, cancellationToken);

    public Task<PolicyInfo> GetPolicyAsync(string tenant, string policy, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyInfo>(HttpMethod.Get, TenantPath(tenant, $"policies/{Uri.EscapeDataString(policy)}"), null, cancellationToken);

    public Task<PolicyInfo> CreatePolicyAsync(string tenant, NewPolicy policy, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyInfo>(HttpMethod.Post, TenantPath(tenant, "policies"), policy, cancellationToken);

    /// <summary>Changes a policy; <paramref name="version"/> (from the policy as read) guards against overwriting someone else's change.</summary>
    public Task<PolicyInfo> UpdatePolicyAsync(string tenant, string policy, PolicyUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<PolicyInfo>(HttpMethod.Put, TenantPath(tenant, $"policies/{Uri.EscapeDataString(policy)}"), update, cancellationToken, ifMatch: version);

    public Task DeletePolicyAsync(string tenant, string policy, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"policies/{Uri.EscapeDataString(policy)}"), null, cancellationToken);

    public Task<EffectivePolicies> GetEffectivePoliciesAsync(string tenant, string route, CancellationToken cancellationToken = default) =>
        SendAsync<EffectivePolicies>(HttpMethod.Get, TenantPath(tenant, $"routes/{Uri.EscapeDataString(route)}/effective-policies"), null, cancellationToken);

    public Task<List<ApiKeyInfo>> GetApiKeysAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<ApiKeyInfo>>(HttpMethod.Get, TenantPath(tenant, "api-keys"), null, cancellationToken);

    /// <summary>Makes a key; the answer holds the key itself, which AdminApi never shows again.</summary>
    public Task<CreatedApiKey> CreateApiKeyAsync(string tenant, NewApiKey key, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKey>(HttpMethod.Post, TenantPath(tenant, "api-keys"), key, cancellationToken);

    public Task<ApiKeyInfo> UpdateApiKeyAsync(string tenant, string key, ApiKeyUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyInfo>(HttpMethod.Put, TenantPath(tenant, $"api-keys/{Uri.EscapeDataString(key)}"), update, cancellationToken, ifMatch: version);

    public Task<ApiKeyInfo> RevokeApiKeyAsync(string tenant, string key, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyInfo>(HttpMethod.Post, TenantPath(tenant, $"api-keys/{Uri.EscapeDataString(key)}/revoke"), null, cancellationToken);

    public Task DeleteApiKeyAsync(string tenant, string key, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"api-keys/{Uri.EscapeDataString(key)}"), null, cancellationToken);

    public Task<List<RoleInfo>> GetRolesAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<RoleInfo>>(HttpMethod.Get, TenantPath(tenant, "roles"), null, cancellationToken);

    public Task<RoleInfo> CreateRoleAsync(string tenant, NewRole role, CancellationToken cancellationToken = default) =>
        SendAsync<RoleInfo>(HttpMethod.Post, TenantPath(tenant, "roles"), role, cancellationToken);

    public Task<RoleInfo> UpdateRoleAsync(string tenant, string role, RoleUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<RoleInfo>(HttpMethod.Put, TenantPath(tenant, $"roles/{Uri.EscapeDataString(role)}"), update, cancellationToken, ifMatch: version);

    public Task DeleteRoleAsync(string tenant, string role, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"roles/{Uri.EscapeDataString(role)}"), null, cancellationToken);

    public Task<List<RoleBindingInfo>> GetRoleBindingsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<List<RoleBindingInfo>>(HttpMethod.Get, TenantPath(tenant, "role-bindings"), null, cancellationToken);

    public Task<RoleBindingInfo> CreateRoleBindingAsync(string tenant, NewRoleBinding binding, CancellationToken cancellationToken = default) =>
        SendAsync<RoleBindingInfo>(HttpMethod.Post, TenantPath(tenant, "role-bindings"), binding, cancellationToken);

    public Task<RoleBindingInfo> UpdateRoleBindingAsync(string tenant, string binding, RoleBindingUpdate update, string version, CancellationToken cancellationToken = default) =>
        SendAsync<RoleBindingInfo>(HttpMethod.Put, TenantPath(tenant, $"role-bindings/{Uri.EscapeDataString(binding)}"), update, cancellationToken, ifMatch: version);

    public Task DeleteRoleBindingAsync(string tenant, string binding, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"role-bindings/{Uri.EscapeDataString(binding)}"), null, cancellationToken);

    public Task<List<ToolPinInfo>> GetToolPinsAsync(string tenant, string route, CancellationToken cancellationToken = default) =>
        SendAsync<List<ToolPinInfo>>(HttpMethod.Get, TenantPath(tenant, $"routes/{Uri.EscapeDataString(route)}/tool-pins"), null, cancellationToken);

    /// <summary>Approves the pending definition of a tool; <paramref name="version"/> makes sure it is the one the admin looked at.</summary>
    public Task<ToolPinInfo> ApproveToolPinAsync(string tenant, string route, ToolPinInfo pin, CancellationToken cancellationToken = default) =>
        SendAsync<ToolPinInfo>(HttpMethod.Post, TenantPath(tenant, $"routes/{Uri.EscapeDataString(route)}/tool-pins/{PinPath(pin)}/approve"), null, cancellationToken, ifMatch: pin.Version);

    /// <summary>Forgets a tool's pin: its next sight is a first sight again.</summary>
    public Task ForgetToolPinAsync(string tenant, string route, ToolPinInfo pin, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, TenantPath(tenant, $"routes/{Uri.EscapeDataString(route)}/tool-pins/{PinPath(pin)}"), null, cancellationToken);

    public Task<List<EgressAllowRuleInfo>> GetEgressAllowRulesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<List<EgressAllowRuleInfo>>(HttpMethod.Get, "api/v1/egress-allowlist", null, cancellationToken);

    public Task<EgressAllowRuleInfo> CreateEgressAllowRuleAsync(NewEgressAllowRule rule, CancellationToken cancellationToken = default) =>
        SendAsync<EgressAllowRuleInfo>(HttpMethod.Post, "api/v1/egress-allowlist", rule, cancellationToken);

    public Task DeleteEgressAllowRuleAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/egress-allowlist/{id}", null, cancellationToken);

    private static string PinPath(ToolPinInfo pin) => $"{Uri.EscapeDataString(pin.Target)}/{Uri.EscapeDataString(pin.Tool)}";
}
