namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>Gives a role to subjects (users, groups, realm roles, claims, API keys, expressions) on some routes.</summary>
internal sealed class RoleBinding : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public Guid RoleId { get; set; }

    /// <summary>Who the binding is for; any one matching is enough.</summary>
    public List<BindingSubject> Subjects { get; set; } = [];

    /// <summary>The names of the routes it covers; empty: every route of the tenant.</summary>
    public List<string> Routes { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }

    public AuthorizationRole? Role { get; set; }
}
