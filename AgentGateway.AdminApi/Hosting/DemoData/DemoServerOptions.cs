namespace AgentGateway.AdminApi.Hosting.DemoData;

internal sealed class DemoServerOptions
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    public string? Description { get; set; }
}
