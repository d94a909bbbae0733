namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="AllowProxyIdentity">Whether the tenant's backend auth may use the proxy's own cloud identity (set by platform admins).</param>
/// <param name="AuditArguments">Whether the call records of the tenant's tool calls carry their (redacted) arguments.</param>
public sealed record TenantResponse(
    string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, bool AllowProxyIdentity = false, bool AuditArguments = false) : IVersionedResponse;
