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

    /// <summary>Client roles by client id, carried in <c>resource_access.{client}.roles</c> as Keycloak does.</summary>
    public Dictionary<string, List<string>> ClientRoles { get; set; } = [];

    /// <summary>Group paths (<c>/tenants/demo/developer</c>), carried in <c>groups</c> as Keycloak's group mapper does.</summary>
    public List<string> Groups { get; set; } = [];
}
