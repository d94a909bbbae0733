using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// The approved definition of one tool of one target of a route — the defence against tool poisoning — and the
/// definition waiting for approval when the target started listing another one.
/// </summary>
internal sealed class ToolPin : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid RouteId { get; set; }

    /// <summary>The target (MCP server) name within the route.</summary>
    public required string Target { get; set; }

    /// <summary>The tool's name at the target (without prefix).</summary>
    public required string Tool { get; set; }

    public ToolPinStatus Status { get; set; }

    /// <summary>SHA-256 of the approved canonical definition; null until one is approved.</summary>
    public string? ApprovedSha256 { get; set; }

    public JsonObject? ApprovedDefinition { get; set; }

    /// <summary>SHA-256 of the definition waiting for approval; null when none waits.</summary>
    public string? PendingSha256 { get; set; }

    public JsonObject? PendingDefinition { get; set; }

    /// <summary>Hidden-instruction patterns found in the pending definition.</summary>
    public List<string> PendingFindings { get; set; } = [];

    public DateTimeOffset FirstSeenAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who approved the approved definition (<c>trust-on-first-use</c> when it was trusted on sight).</summary>
    public string? ApprovedBy { get; set; }

    public DateTimeOffset? ApprovedAt { get; set; }

    public uint Version { get; set; }

    public GatewayRoute? Route { get; set; }
}
