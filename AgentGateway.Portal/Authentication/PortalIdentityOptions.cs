namespace AgentGateway.Portal.Authentication;

/// <summary>The issuer and client the Portal signs users in with (<c>Identity</c> section).</summary>
internal sealed class PortalIdentityOptions
{
    public const string SectionName = "Identity";

    public Uri? Authority { get; set; }

    public string ClientId { get; set; } = "agentgateway-portal";

    public string? ClientSecret { get; set; }

    /// <summary>
    /// The audience of the tokens the playground sends to routes, obtained by token exchange from the user's token
    /// (which is AdminApi's and is never sent to a route): the gateway's, e.g. the proxy's client id.
    /// </summary>
    public string GatewayAudience { get; set; } = "agentgateway-proxy";

    /// <summary>A scope the exchange asks for besides the audience (Keycloak: an optional client scope carrying it); empty asks none.</summary>
    public string? GatewayScope { get; set; }
}
