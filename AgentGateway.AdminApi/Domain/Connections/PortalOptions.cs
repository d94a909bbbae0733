namespace AgentGateway.AdminApi.Domain.Connections;

/// <summary>Where users reach the Portal (<c>Portal</c> section): the pages where they authorize backends for themselves.</summary>
internal sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>The Portal's page an authorization server sends the user back to.</summary>
    public const string CallbackPath = "/connections/callback";

    public Uri? PublicUrl { get; set; }

    /// <summary>The Portal's page where a user authorizes a tenant's backend-auth policy; null without a Portal.</summary>
    public string? ConnectUrl(string tenant, string policy) => PublicUrl is { } url
        ? $"{url.AbsoluteUri.TrimEnd('/')}/connections?tenant={Uri.EscapeDataString(tenant)}&policy={Uri.EscapeDataString(policy)}"
        : null;
}
