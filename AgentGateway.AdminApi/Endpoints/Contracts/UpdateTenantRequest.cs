namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="AllowProxyIdentity">
/// Let the tenant's backend auth use the proxy's own cloud identity (Google token auths with <c>proxyIdentity</c>);
/// left out, unchanged. Platform admins only; refused while a policy of the tenant uses it.
/// </param>
public sealed record UpdateTenantRequest(string? DisplayName, bool? AllowProxyIdentity = null);
