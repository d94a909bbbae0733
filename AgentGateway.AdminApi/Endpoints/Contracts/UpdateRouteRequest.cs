using AgentGateway.AdminApi.Domain.Routes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>
/// A route's new settings. The kind, hosts, methods, headers, query, destinations, health checks, preserveHost,
/// agent, providers and models keep their values when left out (null); an empty list clears a list, and a health check of
/// <c>{"enabled": false}</c> removes it. The path kinds are replaced together:
/// give one of path, pathPrefix and pathRegex to change the path (none keeps it).
/// </summary>
/// <param name="ToolPinning">'withhold', 'flag' or 'off'; left out, the route keeps its setting.</param>
/// <param name="Targets">MCP routes: required, the MCP servers federated.</param>
public sealed record UpdateRouteRequest(
    string? Path, List<string>? Targets, string? PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null, string? ToolPinning = null,
    string? Kind = null, string? PathPrefix = null, string? PathRegex = null, List<string>? Hosts = null, List<string>? Methods = null,
    List<RouteCondition>? Headers = null, List<RouteCondition>? Query = null, List<RouteDestination>? Destinations = null,
    RouteActiveHealthCheck? ActiveHealthCheck = null, RoutePassiveHealthCheck? PassiveHealthCheck = null, bool? PreserveHost = null,
    string? Agent = null, List<string>? Providers = null, List<RouteLlmModel>? Models = null);
