namespace AgentGateway.Identity;

/// <summary>The Keycloak-shaped paths of the single realm this issuer serves.</summary>
internal static class Realm
{
    public const string Name = "agentgateway";

    public const string BasePath = "/realms/" + Name;

    public const string ConfigurationPath = BasePath + "/.well-known/openid-configuration";

    public const string AuthorizationPath = BasePath + "/protocol/openid-connect/auth";

    public const string TokenPath = BasePath + "/protocol/openid-connect/token";

    public const string JwksPath = BasePath + "/protocol/openid-connect/certs";

    public const string UserInfoPath = BasePath + "/protocol/openid-connect/userinfo";

    public const string LogoutPath = BasePath + "/protocol/openid-connect/logout";

    public const string LoginPath = BasePath + "/login-actions/authenticate";

    /// <summary>OAuth dynamic client registration (RFC 7591), at Keycloak's path.</summary>
    public const string RegistrationPath = BasePath + "/clients-registrations/openid-connect";

    /// <summary>The audience every access token carries.</summary>
    public const string Audience = "agentgateway";

    /// <summary>Relative form of an absolute path, as OpenIddict expects for endpoint URIs.</summary>
    public static string Relative(string path) => path.TrimStart('/');
}
