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

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }

    public List<RouteTarget> Targets { get; set; } = [];
}
