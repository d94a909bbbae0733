namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>Where users reach the Portal (<c>Portal</c> section): the pages where they authorize backends for themselves.</summary>
internal sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>Below it, the Portal's pages an authorization server sends the user back to.</summary>
    public const string CallbackPath = "/connections/callback";

    public Uri? PublicUrl { get; set; }

    /// <summary>
    /// The Portal's page the authorization server sends a user back to for a tenant's policy, one per tenant and policy:
    /// a client registered with it serves that policy alone, so another tenant cannot borrow the client (and the name
    /// users see at the authorization server) for a policy of its own. Null without a Portal.
    /// </summary>
    public string? Callback(string tenant, string policy) => PublicUrl is { } url
        ? $"{url.AbsoluteUri.TrimEnd('/')}{CallbackPath}/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(policy)}"
        : null;

    /// <summary>Whether <paramref name="uri"/> is one of the Portal's callback pages.</summary>
    public bool IsCallback(string uri) =>
        PublicUrl is { } url && uri.StartsWith(url.AbsoluteUri.TrimEnd('/') + CallbackPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>The Portal's page where a user authorizes a tenant's backend-auth policy; null without a Portal.</summary>
    public string? ConnectUrl(string tenant, string policy) => PublicUrl is { } url
        ? $"{url.AbsoluteUri.TrimEnd('/')}/connections?tenant={Uri.EscapeDataString(tenant)}&policy={Uri.EscapeDataString(policy)}"
        : null;
}
