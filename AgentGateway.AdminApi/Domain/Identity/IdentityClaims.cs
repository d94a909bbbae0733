namespace AgentGateway.AdminApi.Domain.Identity;

/// <summary>The claim and role names of Keycloak-shaped tokens.</summary>
internal static class IdentityClaims
{
    public const string PreferredUsername = "preferred_username";
    public const string RealmAccess = "realm_access";
    public const string Role = "role";
    public const string ResourceAccess = "resource_access";
    public const string Groups = "groups";

    /// <summary>A tenant role the token grants, as <c>{tenant}:{role}</c> (added when the token is validated).</summary>
    public const string TenantRole = "agentgateway/tenant-role";

    /// <summary>Realm or client roles <c>tenant:{tenant}:{role}</c> grant a tenant role.</summary>
    public const string TenantRolePrefix = "tenant:";

    /// <summary>Groups <c>/tenants/{tenant}/{role}</c> grant a tenant role.</summary>
    public const string TenantGroupPrefix = "/tenants/";

    /// <summary>Realm role of platform administrators: everything, including creating tenants.</summary>
    public const string PlatformAdminRole = "platform-admin";

    /// <summary>Realm role of data-plane proxies: may open the xDS stream.</summary>
    public const string ProxyRole = "proxy";
}
