using System.Text.Json;

namespace AgentGateway.AdminApi.Contracts;

public sealed record RouteResponse(
    string Name,
    string Path,
    IReadOnlyList<string> Targets,
    string PrefixMode,
    string Endpoint,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version);

public sealed record CreateRouteRequest(string? Name, string? Path, List<string>? Targets, string? PrefixMode);

public sealed record UpdateRouteRequest(string? Path, List<string>? Targets, string? PrefixMode);

public sealed record RouteToolsResponse(string Route, string Endpoint, IReadOnlyList<RouteToolResponse> Tools, IReadOnlyList<TargetErrorResponse> Errors);

public sealed record RouteToolResponse(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);

public sealed record TargetErrorResponse(string Target, string Message);

public sealed record ProxyStatusResponse(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError);
