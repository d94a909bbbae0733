namespace AgentGateway.Identity.Configuration;

/// <summary>One confidential client of the realm (<c>Identity:Clients:N</c>).</summary>
internal sealed class IdentityClientOptions
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>Realm roles of the client's service account (client-credentials tokens).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Grant types: <c>authorization_code</c>, <c>refresh_token</c>, <c>client_credentials</c>, <c>password</c>, token exchange.</summary>
    public List<string> Grants { get; set; } = [];

    /// <summary>
    /// Audiences (besides the realm's own) and RFC 8707 resource URIs the client may ask tokens for; each must also be
    /// one of the realm's <see cref="IdentityServerOptions.Audiences"/> or <see cref="IdentityServerOptions.Resources"/>.
    /// </summary>
    public List<string> Audiences { get; set; } = [];

    public List<string> Resources { get; set; } = [];

    /// <summary>
    /// Audiences added to every token the client obtains, like a Keycloak audience mapper: e.g. the gateway's client id,
    /// so the gateway may exchange a user's token for a backend's on the user's behalf.
    /// </summary>
    public List<string> TokenAudiences { get; set; } = [];
}
