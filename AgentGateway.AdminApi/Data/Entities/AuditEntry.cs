using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>One change to the platform's configuration: who made it, when, to what, and the values before and after.</summary>
internal sealed class AuditEntry
{
    public Guid Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The user (<c>preferred_username</c>) or, for changes the platform makes itself, <c>system</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>The tenant the changed thing belongs to; null for platform-wide things (session keys).</summary>
    public Guid? TenantId { get; set; }

    /// <summary><c>created</c>, <c>updated</c> or <c>deleted</c>.</summary>
    public required string Action { get; set; }

    /// <summary><c>tenant</c>, <c>member</c>, <c>mcp-server</c>, <c>route</c>, <c>secret</c>, <c>policy</c>, <c>session-key</c>, <c>egress-allow-rule</c>, ...</summary>
    public required string EntityType { get; set; }

    public required string EntityName { get; set; }

    /// <summary>The values before the change (null when created); secrets are never recorded.</summary>
    public JsonObject? Before { get; set; }

    /// <summary>The values after the change (null when deleted); secrets are never recorded.</summary>
    public JsonObject? After { get; set; }

    /// <summary>The id of the API request that made the change, to match it with logs and traces.</summary>
    public string? RequestId { get; set; }
}
