namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// What a role may do, as CEL rules over the MCP operation and the request (e.g. <c>mcp.tool.name == "list_notes"</c>);
/// role bindings give it to callers on routes.
/// </summary>
internal sealed class AuthorizationRole
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>CEL expressions over <c>mcp</c>, <c>request</c>, <c>jwt</c>, <c>apiKey</c> and <c>source</c>; any one allows.</summary>
    public List<string> Rules { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
