namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>A client-facing endpoint of a tenant that federates MCP servers.</summary>
internal sealed class GatewayRoute
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary>The exact request path on the proxy, unique across the platform.</summary>
    public required string Path { get; set; }

    public PrefixModeSetting PrefixMode { get; set; }

    public FailureModeSetting FailureMode { get; set; }

    /// <summary>How long one target may take for one request, in milliseconds; null takes the proxy's default.</summary>
    public int? TargetTimeoutMs { get; set; }

    /// <summary>What proxies do with tools no approved pin matches.</summary>
    public ToolPinningSetting ToolPinning { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }

    public List<RouteTarget> Targets { get; set; } = [];
}
