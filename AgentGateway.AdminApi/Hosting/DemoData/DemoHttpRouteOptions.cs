namespace AgentGateway.AdminApi.Hosting.DemoData;

/// <summary>A demo HTTP route: <c>/{tenant}/{name}/...</c> forwarded to <see cref="Url"/> with the prefix replaced by <see cref="UpstreamPath"/>.</summary>
internal sealed class DemoHttpRouteOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The sample's base URL, e.g. http://localhost:5301.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The upstream path the route's prefix is rewritten to, e.g. /api/notes.</summary>
    public string UpstreamPath { get; set; } = "/";
}
