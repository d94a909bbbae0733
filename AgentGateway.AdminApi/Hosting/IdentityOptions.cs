namespace AgentGateway.AdminApi.Hosting;

/// <summary>The issuer AdminApi trusts (<c>Identity</c> section).</summary>
internal sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>The issuer URL, e.g. <c>http://localhost:5070/realms/agentgateway</c> or a Keycloak realm.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The audience tokens must carry.</summary>
    public string Audience { get; set; } = "agentgateway";

    /// <summary>The client whose client roles (<c>resource_access.{client}.roles</c>) count besides realm roles; empty takes <see cref="Audience"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>Groups (paths as Keycloak's group mapper writes them) whose members are platform admins.</summary>
    public IList<string> PlatformAdminGroups { get; } = ["/platform-admins"];
}
