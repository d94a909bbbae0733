namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>Where clients reach the data plane (<c>Proxy</c> section), to show route endpoints.</summary>
internal sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    public Uri PublicUrl { get; set; } = new("http://localhost:8080");

    public string EndpointFor(string path) => PublicUrl.AbsoluteUri.TrimEnd('/') + path;
}
