namespace AgentGateway.AdminApi.Authorization;

/// <summary>The claim and role names of Keycloak-shaped tokens.</summary>
internal static class IdentityClaims
{
    public const string PreferredUsername = "preferred_username";
    public const string RealmAccess = "realm_access";
    public const string Role = "role";

    /// <summary>Realm role of platform administrators: everything, including creating tenants.</summary>
    public const string PlatformAdminRole = "platform-admin";

    /// <summary>Realm role of data-plane proxies: may open the xDS stream.</summary>
    public const string ProxyRole = "proxy";
}
