using System.Text.Json.Nodes;
using AgentGateway.Contracts.Policies.Kinds;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A security policy of a tenant (authentication, authorization, backend credentials, backend TLS) attached to the
/// tenant, one of its routes or one of its MCP servers. The most specific attachment of a kind wins.
/// </summary>
internal sealed class Policy : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary>The policy kind, e.g. <c>jwt-auth</c> or <c>backend-auth</c> (see <c>PolicyKinds</c>).</summary>
    public required string Kind { get; set; }

    public string? Description { get; set; }

    /// <summary><c>tenant</c>, <c>route</c> or <c>mcp-server</c>.</summary>
    public required string TargetKind { get; set; }

    /// <summary>The name of the route or MCP server, or the tenant's own name.</summary>
    public required string TargetName { get; set; }

    /// <summary>The kind's message as proto JSON (secrets only as <c>secretRef</c>).</summary>
    public required JsonObject Spec { get; set; }

    /// <summary>The tenant secrets the spec references, so a secret in use cannot be deleted.</summary>
    public List<string> SecretRefs { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }
}
