namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The demo realm: users <c>admin</c>/<c>admin</c> (platform admin) and <c>developer</c>/<c>developer</c>, and the
/// clients of the portal, the CLI and the proxy with development-only secrets. Replace it by configuring
/// <c>Identity:Users</c> and <c>Identity:Clients</c> in the AppHost.
/// </summary>
internal static class DemoIdentity
{
    public const string PortalClientId = "agentgateway-portal";
    public const string PortalClientSecret = "portal-secret";
    public const string CliClientId = "agentgateway-cli";
    public const string CliClientSecret = "cli-secret";
    public const string ProxyClientId = "agentgateway-proxy";
    public const string ProxyClientSecret = "proxy-secret";

    /// <param name="proxyUrl">The proxy, whose demo MCP route tokens may be bound to (RFC 8707), so that an MCP client signs in for it.</param>
    public static Dictionary<string, string> Settings(string portalUrl, string proxyUrl) => new(StringComparer.Ordinal)
    {
        ["Resources:0"] = proxyUrl.TrimEnd('/') + "/demo/mcp",
        ["Users:0:Username"] = "admin",
        ["Users:0:Password"] = "admin",
        ["Users:0:Email"] = "admin@agentgateway.local",
        ["Users:0:Name"] = "Platform Admin",
        ["Users:0:Roles:0"] = "platform-admin",
        ["Users:1:Username"] = "developer",
        ["Users:1:Password"] = "developer",
        ["Users:1:Email"] = "developer@agentgateway.local",
        ["Users:1:Name"] = "Demo Developer",

        ["Clients:0:ClientId"] = PortalClientId,
        ["Clients:0:ClientSecret"] = PortalClientSecret,
        ["Clients:0:RedirectUris:0"] = portalUrl + "/signin-oidc",
        ["Clients:0:PostLogoutRedirectUris:0"] = portalUrl + "/signout-callback-oidc",
        ["Clients:0:Grants:0"] = "authorization_code",
        ["Clients:0:Grants:1"] = "refresh_token",
        // The Portal's tokens are AdminApi's alone; its playground exchanges them for the gateway's audience.
        ["Clients:0:Grants:2"] = "urn:ietf:params:oauth:grant-type:token-exchange",
        ["Clients:0:Audiences:0"] = ProxyClientId,
        ["Audiences:0"] = ProxyClientId,

        ["Clients:1:ClientId"] = CliClientId,
        ["Clients:1:ClientSecret"] = CliClientSecret,
        ["Clients:1:Roles:0"] = "platform-admin",
        ["Clients:1:Grants:0"] = "client_credentials",
        ["Clients:1:Grants:1"] = "password",
        // Users' tokens are meant for the gateway too, which may exchange them for backend tokens on their behalf.
        ["Clients:1:TokenAudiences:0"] = ProxyClientId,

        ["Clients:2:ClientId"] = ProxyClientId,
        ["Clients:2:ClientSecret"] = ProxyClientSecret,
        ["Clients:2:Roles:0"] = "proxy",
        ["Clients:2:Grants:0"] = "client_credentials",
        // The gateway trades callers' tokens for backend tokens on their behalf (backend auth: token exchange).
        ["Clients:2:Grants:1"] = "urn:ietf:params:oauth:grant-type:token-exchange",
    };
}
