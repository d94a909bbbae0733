namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="AllowProxyIdentity">
/// Let the tenant's backend auth use the proxy's own cloud identity (Google token auths with <c>proxyIdentity</c>);
/// left out, unchanged. Platform admins only; refused while a policy of the tenant uses it.
/// </param>
/// <param name="AuditArguments">
/// Whether the call records of the tenant's tool calls carry their arguments (redacted: values of secret-looking keys
/// are replaced, the whole clipped at 4 KiB); left out, unchanged.
/// </param>
public sealed record UpdateTenantRequest(string? DisplayName, bool? AllowProxyIdentity = null, bool? AuditArguments = null);
