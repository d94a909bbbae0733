namespace AgentGateway.Proxy.Config.File;

/// <summary>Standalone mode: <c>Gateway:ConfigFile</c> (or <c>--config</c>) names the YAML/JSON file to serve.</summary>
internal sealed class GatewayFileOptions
{
    public const string SectionName = "Gateway";

    public string? ConfigFile { get; set; }

    /// <summary>How long file events must be quiet before the file is re-read (editors write in several steps).</summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
