namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// An end user's authorization of a tenant's backend (a <c>userOauth</c> backend-auth policy): the tokens the backend's
/// authorization server issued for them, encrypted, which the gateway sends on that user's calls only.
/// </summary>
internal sealed class UserConnection : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The backend-auth policy the user authorized.</summary>
    public required string Policy { get; set; }

    /// <summary>Who: <c>jwt:{issuer}|{sub}</c>, as the gateway names its callers.</summary>
    public required string Subject { get; set; }

    /// <summary>The user's name when they connected, to show.</summary>
    public required string Username { get; set; }

    /// <summary>AES-256-GCM of the access token, bound to the tenant, policy and subject (see <c>UserTokenVault</c>).</summary>
    public required byte[] AccessToken { get; set; }

    /// <summary>AES-256-GCM of the refresh token, when the authorization server gave one.</summary>
    public byte[]? RefreshToken { get; set; }

    /// <summary>The id of the master key that encrypted both.</summary>
    public required string KeyId { get; set; }

    /// <summary>The scopes the authorization server granted.</summary>
    public string Scopes { get; set; } = string.Empty;

    /// <summary>When the access token expires; null when the server did not say.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
