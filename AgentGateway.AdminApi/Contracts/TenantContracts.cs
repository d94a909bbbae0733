namespace AgentGateway.AdminApi.Contracts;

/// <param name="AllowProxyIdentity">Whether the tenant's backend auth may use the proxy's own cloud identity (set by platform admins).</param>
public sealed record TenantResponse(string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, bool AllowProxyIdentity = false);

public sealed record CreateTenantRequest(string? Name, string? DisplayName);

/// <param name="AllowProxyIdentity">
/// Let the tenant's backend auth use the proxy's own cloud identity (Google token auths with <c>proxyIdentity</c>);
/// left out, unchanged. Platform admins only; refused while a policy of the tenant uses it.
/// </param>
public sealed record UpdateTenantRequest(string? DisplayName, bool? AllowProxyIdentity = null);

/// <param name="Username">The name shown: the invited name until the user signs in, then the user's current one.</param>
public sealed record MemberResponse(string Username, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>The user's <c>sub</c>, which the membership is keyed by; null while the invitation waits for its first sign-in.</summary>
    public string? Subject { get; init; }

    /// <summary>Whether the invitation still waits for the first user to sign in with its name.</summary>
    public bool Pending => Subject is null;
}

public sealed record PutMemberRequest(string? Role);

public sealed record MeResponse(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MeTenantResponse> Tenants)
{
    /// <summary>The caller's <c>sub</c>, which memberships are keyed by.</summary>
    public string? Subject { get; init; }
}

public sealed record MeTenantResponse(string Name, string DisplayName, string Role);
