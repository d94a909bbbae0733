namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>
/// A tenant's whole config as one document (<c>GET</c>/<c>PUT /api/v1/tenants/{tenant}/config</c>), in YAML or JSON:
/// each section's items are the bodies its REST endpoint takes. A section left out is not managed by the document
/// (its items stay as they are); with <c>prune</c>, the items of a section given that the document does not name are
/// deleted.
/// </summary>
/// <param name="ApiVersion">The document's format: agentgateway.dev/v1.</param>
/// <param name="Kind">TenantConfig.</param>
/// <param name="Tenant">The tenant the document was exported from; when given, the one it applies to.</param>
/// <param name="Settings">The tenant's own settings (its display name names it, like its name, and is not part of it).</param>
/// <param name="Secrets">
/// The tenant's secrets by name; values are never exported. An item with a value creates or replaces the secret; one
/// without names a secret the tenant must already hold.
/// </param>
public sealed record TenantConfigDocument(
    string? ApiVersion,
    string? Kind,
    string? Tenant,
    TenantSettingsConfig? Settings = null,
    List<SecretConfigItem>? Secrets = null,
    List<CreateMcpServerRequest>? McpServers = null,
    List<CreateAgentRequest>? Agents = null,
    List<CreateLlmProviderRequest>? LlmProviders = null,
    List<CreateRouteRequest>? Routes = null,
    List<CreateRoleRequest>? Roles = null,
    List<CreateRoleBindingRequest>? RoleBindings = null,
    List<CreatePolicyRequest>? Policies = null);

/// <summary>A tenant's settings in its config document; what is left out stays as it is.</summary>
/// <param name="AuditArguments">Whether its call records carry tool arguments (redacted).</param>
/// <param name="AllowProxyIdentity">Whether its policies may use the proxy's own cloud identity (platform admins change it).</param>
public sealed record TenantSettingsConfig(bool? AuditArguments = null, bool? AllowProxyIdentity = null);

/// <summary>A secret in a tenant's config document: its name, description, and (only when it is to be set) its value.</summary>
public sealed record SecretConfigItem(string? Name, string? Description = null, string? Value = null);

/// <summary>What applying a tenant's config document changed, or (a dry run) would change.</summary>
/// <param name="Applied">Whether the changes were written (false for a dry run).</param>
/// <param name="Revision">The config revision after the changes; null when nothing was written.</param>
public sealed record ConfigApplyResponse(bool DryRun, bool Applied, long? Revision, IReadOnlyList<ConfigChange> Changes);

/// <summary>One item's change: its section and name, and what became of it.</summary>
/// <param name="Action">create, update or delete.</param>
/// <param name="Fields">An update's changed fields (paths such as <c>models[0].targets[1].model</c>).</param>
public sealed record ConfigChange(string Section, string Name, string Action, IReadOnlyList<ConfigFieldChange> Fields);

/// <summary>A field an update changes, with its value before and after (null when absent).</summary>
public sealed record ConfigFieldChange(string Path, System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);
