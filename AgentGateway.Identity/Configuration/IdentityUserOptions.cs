namespace AgentGateway.Identity.Configuration;

/// <summary>One user of the realm (<c>Identity:Users:N</c>).</summary>
internal sealed class IdentityUserOptions
{
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    public string? Email { get; set; }

    public string? Name { get; set; }

    /// <summary>Realm roles, carried in <c>realm_access.roles</c>.</summary>
    public List<string> Roles { get; set; } = [];
}
