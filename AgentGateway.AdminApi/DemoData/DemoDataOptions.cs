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

    /// <summary>HTTP routes to seed: each forwards <c>/{tenant}/{name}</c> to a sample's REST API.</summary>
    public List<DemoHttpRouteOptions> HttpRoutes { get; set; } = [];

    /// <summary>The sample model server: an LLM provider of the demo tenant, and an LLM route in front of it.</summary>
    public DemoModelsOptions? Models { get; set; }
}

/// <summary>An OpenAI-compatible sample model server serving <c>demo-echo</c> and <c>demo-reverse</c>.</summary>
internal sealed class DemoModelsOptions
{
    public string Name { get; set; } = "models";

    /// <summary>Its base URL, below which /chat/completions lives, e.g. http://localhost:5103/v1.</summary>
    public string Url { get; set; } = string.Empty;
}

/// <summary>A demo HTTP route: <c>/{tenant}/{name}/...</c> forwarded to <see cref="Url"/> with the prefix replaced by <see cref="UpstreamPath"/>.</summary>
internal sealed class DemoHttpRouteOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The sample's base URL, e.g. http://localhost:5301.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The upstream path the route's prefix is rewritten to, e.g. /api/notes.</summary>
    public string UpstreamPath { get; set; } = "/";
}

internal sealed class DemoServerOptions
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    public string? Description { get; set; }
}
