namespace AgentGateway.AdminApi.DemoData;

/// <summary>First-start demo content (<c>DemoData</c> section): a tenant with a route federating sample servers.</summary>
internal sealed class DemoDataOptions
{
    public const string SectionName = "DemoData";

    public bool Enabled { get; set; }

    public string Tenant { get; set; } = "demo";

    /// <summary>The demo tenant's developer (a user of the issuer).</summary>
    public string Developer { get; set; } = "developer";

    public List<DemoServerOptions> Servers { get; set; } = [];
}

internal sealed class DemoServerOptions
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    public string? Description { get; set; }
}
