namespace AgentGateway.AdminApi.Hosting.DemoData;

/// <summary>First-start demo content (<c>DemoData</c> section): a tenant with a route federating sample servers.</summary>
internal sealed class DemoDataOptions
{
    public const string SectionName = "DemoData";

    public bool Enabled { get; set; }

    public string Tenant { get; set; } = "demo";

    /// <summary>The demo tenant's developer (a user of the issuer).</summary>
    public string Developer { get; set; } = "developer";

    public List<DemoServerOptions> Servers { get; set; } = [];

    /// <summary>HTTP routes to seed: each forwards <c>/{tenant}/{name}</c> to a sample's REST API.</summary>
    public List<DemoHttpRouteOptions> HttpRoutes { get; set; } = [];

    /// <summary>The sample model server: an LLM provider of the demo tenant, and an LLM route in front of it.</summary>
    public DemoModelsOptions? Models { get; set; }
}
