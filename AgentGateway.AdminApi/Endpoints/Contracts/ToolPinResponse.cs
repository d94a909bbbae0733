using System.Text.Json.Nodes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A tool's pin on a route: the approved definition and, when one waits, the definition to approve (to diff).</summary>
/// <param name="Status">'approved', or 'pending' when a definition waits for a tenant admin.</param>
/// <param name="ApprovedBy">The tenant admin who approved it, or 'trust-on-first-use' when it was trusted on first sight.</param>
/// <param name="Findings">Hidden-instruction patterns found in the pending definition.</param>
public sealed record ToolPinResponse(
    string Target,
    string Tool,
    string Status,
    string? ApprovedSha256,
    JsonObject? ApprovedDefinition,
    string? PendingSha256,
    JsonObject? PendingDefinition,
    IReadOnlyList<string> Findings,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset UpdatedAt,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    string Version) : IVersionedResponse;
