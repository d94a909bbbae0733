namespace AgentGateway.Proxy.Mcp;

/// <summary>Tuning of the MCP multiplexer (<c>Mcp</c> section).</summary>
internal sealed class McpGatewayOptions
{
    public const string SectionName = "Mcp";

    /// <summary>How long one target may take to connect and answer one request before it is treated as failing.</summary>
    public TimeSpan TargetTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A downstream session with no traffic for this long is closed, with its upstream sessions.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The largest JSON-RPC request body accepted, in bytes.</summary>
    public long MaxRequestBodySize { get; set; } = 4 * 1024 * 1024;

    /// <summary>How often an open GET stream sends a keep-alive comment.</summary>
    public TimeSpan StreamKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
