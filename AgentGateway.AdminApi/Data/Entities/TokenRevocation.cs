namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A user's token the gateway forgot without the user asking (the policy of their connection was deleted or changed,
/// or its tenant deleted), waiting to be revoked at the authorization server that issued it (RFC 7009). Written in the
/// same save that forgets the connection, so it is revoked only once that save commits; kept apart from the tenant,
/// so that deleting the tenant does not take it along.
/// </summary>
internal sealed class TokenRevocation
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The policy's revocation endpoint when the token was forgotten.</summary>
    public required string RevocationUrl { get; set; }

    /// <summary>The policy's client when the token was forgotten.</summary>
    public required string ClientId { get; set; }

    /// <summary>AES-256-GCM of the token, bound to this revocation.</summary>
    public required byte[] Token { get; set; }

    /// <summary><c>access_token</c> or <c>refresh_token</c>.</summary>
    public required string TokenTypeHint { get; set; }

    /// <summary>AES-256-GCM of the client's secret, bound to this revocation; null for a public client.</summary>
    public byte[]? ClientSecret { get; set; }

    /// <summary>The id of the master key that encrypted both.</summary>
    public required string KeyId { get; set; }

    /// <summary>How many times the server could not be asked (unreachable, or answered 5xx).</summary>
    public int Attempts { get; set; }

    /// <summary>When it may be tried next: after a failed try, or while a replica is trying it.</summary>
    public DateTimeOffset NotBefore { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
