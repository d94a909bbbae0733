namespace AgentGateway.AdminApi.Domain.Identity;

/// <summary>The named authorization policies of AdminApi's endpoints.</summary>
internal static class AuthorizationPolicies
{
    /// <summary>The gRPC services of data-plane proxies (xDS, reports): realm role <c>proxy</c> or <c>platform-admin</c>.</summary>
    public const string Proxy = "proxy";
}
