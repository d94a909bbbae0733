using System.Text.Json;

namespace AgentGateway.AdminApi.Contracts;

public sealed record RouteResponse(
    string Name,
    string Path,
    IReadOnlyList<string> Targets,
    string PrefixMode,
    string FailureMode,
    int? TargetTimeoutMs,
    string ToolPinning,
    string Endpoint,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

/// <param name="FailureMode">'open' (default: a failing target is left out of lists) or 'closed' (it fails them).</param>
/// <param name="TargetTimeoutMs">How long one target may take for one request (1-600000 ms); null takes the proxy's default.</param>
/// <param name="ToolPinning">
/// 'withhold' (default: a tool whose definition no approved pin matches is hidden and refused until a tenant admin
/// approves it; new tools without hidden-instruction findings are trusted on first sight), 'flag' (listed and
/// callable, marked in its _meta) or 'off'.
/// </param>
public sealed record CreateRouteRequest(
    string? Name, string? Path, List<string>? Targets, string? PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null, string? ToolPinning = null);

/// <param name="ToolPinning">'withhold', 'flag' or 'off'; left out, the route keeps its setting.</param>
public sealed record UpdateRouteRequest(
    string? Path, List<string>? Targets, string? PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null, string? ToolPinning = null);

public sealed record RouteToolsResponse(string Route, string Endpoint, IReadOnlyList<RouteToolResponse> Tools, IReadOnlyList<TargetErrorResponse> Errors);

public sealed record RouteToolResponse(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);

public sealed record TargetErrorResponse(string Target, string Message);

public sealed record ProxyStatusResponse(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError);

public sealed record SessionKeyResponse(string Id, bool Primary, DateTimeOffset CreatedAt);

/// <summary>One change in the audit log.</summary>
public sealed record AuditEntryResponse(
    Guid Id,
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string EntityType,
    string EntityName,
    System.Text.Json.Nodes.JsonObject? Before,
    System.Text.Json.Nodes.JsonObject? After,
    string? RequestId);
