namespace AgentGateway.Proxy.Configuration.File;

/// <summary>The standalone config file (YAML or JSON): the same resources the control plane serves over xDS.</summary>
internal sealed class GatewayFileDocument
{
    public List<RouteDocument> Routes { get; set; } = [];
}

internal sealed class RouteDocument
{
    public string? Tenant { get; set; }

    public string? Name { get; set; }

    public string? Path { get; set; }

    public McpBackendDocument? Mcp { get; set; }
}

internal sealed class McpBackendDocument
{
    public string? PrefixMode { get; set; }

    public List<McpTargetDocument> Targets { get; set; } = [];
}

internal sealed class McpTargetDocument
{
    public string? Name { get; set; }

    public StreamableHttpDocument? StreamableHttp { get; set; }
}

internal sealed class StreamableHttpDocument
{
    public string? Url { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];
}
