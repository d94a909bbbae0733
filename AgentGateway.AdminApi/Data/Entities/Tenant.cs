using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>The unit of isolation: everything else belongs to exactly one tenant.</summary>
internal sealed class Tenant
{
    public Guid Id { get; set; }

    /// <summary>The URL-safe slug (see <c>Names</c>), unique across the platform.</summary>
    public required string Name { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>
    /// Whether the tenant's backend auth may use the proxy's own cloud identity (the machine's service account) rather
    /// than credentials of the tenant's. Only platform admins change it.
    /// </summary>
    public bool AllowProxyIdentity { get; set; }

    /// <summary>
    /// Whether the call records of the tenant's tool calls carry their arguments (redacted by the proxy). Tenant owners
    /// and admins opt in; off by default.
    /// </summary>
    public bool AuditArguments { get; set; }

    /// <summary>The tenant's LLM budget across its routes and keys (an <c>LlmBudget</c> as proto JSON); null: none. Set by platform admins.</summary>
    public JsonObject? LlmBudget { get; set; }

    /// <summary>While the budget is spent: until when (its period's end, or when enough use leaves its window).</summary>
    public DateTimeOffset? LlmBudgetExhaustedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's <c>xmin</c>: changes with every update; the ETag.</summary>
    public uint Version { get; set; }

    public List<TenantMember> Members { get; set; } = [];
}
