namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>An MCP server a tenant registered; routes federate it as a target.</summary>
internal sealed class McpServer
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public required string Transport { get; set; }

    public required string Url { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>The program of a stdio server (platform admins only); null for HTTP transports.</summary>
    public string? Command { get; set; }

    public List<string> Args { get; set; } = [];

    public Dictionary<string, string> Env { get; set; } = [];

    public string? WorkingDirectory { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
