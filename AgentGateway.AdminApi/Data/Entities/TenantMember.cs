namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A user's role in a tenant, keyed by the user's <c>sub</c> — the one claim an identity provider never hands to
/// someone else. An invitation names a <c>preferred_username</c> and is bound to the <c>sub</c> of the user who signs
/// in with that name first; from then on the name is only what the list shows.
/// </summary>
internal sealed class TenantMember
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The user's <c>sub</c>; null while the invitation is pending.</summary>
    public string? Subject { get; set; }

    /// <summary>The name shown: the invited name, then the user's current <c>preferred_username</c>.</summary>
    public required string Username { get; set; }

    public TenantRole Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Tenant? Tenant { get; set; }
}
