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

    /// <summary>Grant types: <c>authorization_code</c>, <c>refresh_token</c>, <c>client_credentials</c>, <c>password</c>.</summary>
    public List<string> Grants { get; set; } = [];
}
