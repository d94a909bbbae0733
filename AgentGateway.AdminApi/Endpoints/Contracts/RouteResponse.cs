using AgentGateway.AdminApi.ControlPlane.Xds;
using AgentGateway.AdminApi.Domain.Routes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A route as the API returns it.</summary>
/// <param name="Path">The exact path (MCP and A2A routes always have one; HTTP routes have one of path, pathPrefix and pathRegex).</param>
/// <param name="Targets">MCP routes: the federated MCP servers; empty for other kinds.</param>
/// <param name="Endpoint">The URL clients call: the proxy's public URL with the path or path prefix; null for a regex route.</param>
/// <param name="Kind">'mcp', 'http' or 'a2a'.</param>
/// <param name="Destinations">HTTP routes: the weighted destinations; empty for other kinds.</param>
/// <param name="Agent">A2A routes: the name of the tenant's agent (see /agents); null for other kinds.</param>
/// <param name="Providers">LLM routes: the providers of the tenant's catalog the route serves from (see /llm-providers); empty for other kinds.</param>
/// <param name="Models">LLM routes: the models clients may name, each with the provider models that serve it; empty for other kinds.</param>
/// <param name="Status">Whether the route reaches traffic, and if not why (see <see cref="RouteStatusResponse"/>).</param>
public sealed record RouteResponse(
    string Name,
    string? Path,
    IReadOnlyList<string> Targets,
    string PrefixMode,
    string FailureMode,
    int? TargetTimeoutMs,
    string ToolPinning,
    string? Endpoint,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version,
    string Kind,
    string? PathPrefix,
    string? PathRegex,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Methods,
    IReadOnlyList<RouteCondition> Headers,
    IReadOnlyList<RouteCondition> Query,
    IReadOnlyList<RouteDestination> Destinations,
    RouteActiveHealthCheck? ActiveHealthCheck,
    RoutePassiveHealthCheck? PassiveHealthCheck,
    bool PreserveHost,
    string? Agent,
    IReadOnlyList<string> Providers,
    IReadOnlyList<RouteLlmModel> Models,
    RouteStatusResponse Status) : IVersionedResponse;
