using System.Text.Json;

namespace AgentGateway.AdminApi.Contracts;

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
    RouteStatusResponse Status);

/// <summary>A model clients of an LLM route name, and the provider models that serve it.</summary>
/// <param name="Name">What clients send as "model": an alias, or the provider's own name (1-256 characters).</param>
/// <param name="Targets">At least one; tried in priority order, weighted within a priority, failing over before any byte reached the client.</param>
public sealed record RouteLlmModel(string? Name, List<RouteLlmTarget>? Targets);

/// <summary>One provider model that serves a model of an LLM route.</summary>
/// <param name="Provider">One of the route's providers.</param>
/// <param name="Model">The provider's name for the model; left out, the model's own name.</param>
/// <param name="Weight">Relative share within its priority (0-10000); left out or 0 takes 1.</param>
/// <param name="Priority">Lower first: targets of a higher number are tried only when every one of a lower number failed; left out, 0.</param>
public sealed record RouteLlmTarget(string? Provider, string? Model = null, int? Weight = null, int? Priority = null);

/// <summary>A header or query parameter condition of a route's match.</summary>
/// <param name="Name">The header (case-insensitive) or query parameter (case-sensitive) name.</param>
/// <param name="Exact">The whole value; with neither exact nor regex the header or parameter need only be present.</param>
/// <param name="Regex">A .NET regular expression the whole value must match (not with exact).</param>
/// <param name="Invert">Take requests that do NOT satisfy the condition.</param>
public sealed record RouteCondition(string? Name, string? Exact = null, string? Regex = null, bool Invert = false);

/// <summary>One upstream of an HTTP route.</summary>
/// <param name="Name">Unique within the route: letters, digits and '-'.</param>
/// <param name="Url">Absolute http(s) base URL without query; the request's path is appended to its path. Checked against the egress policy.</param>
/// <param name="Weight">Relative share of the requests (0-10000); left out or 0 takes 1.</param>
public sealed record RouteDestination(string? Name, string? Url, int? Weight = null);

/// <summary>Probes of every destination of an HTTP route; 0 or left out takes the default.</summary>
/// <param name="Path">The path probed with GET, e.g. /healthz (required).</param>
/// <param name="IntervalMs">Between probes (100-3600000; default 5000).</param>
/// <param name="TimeoutMs">Per probe (10-60000; default 2000).</param>
/// <param name="UnhealthyThreshold">Failed probes that mark a destination unhealthy (1-100; default 2).</param>
/// <param name="HealthyThreshold">Passed probes that mark it healthy again (1-100; default 1).</param>
/// <param name="ExpectedStatuses">Statuses that pass; empty passes 200-399.</param>
/// <param name="Enabled">false removes the route's active health check in an update (the other fields are then ignored).</param>
public sealed record RouteActiveHealthCheck(
    string? Path, int? IntervalMs = null, int? TimeoutMs = null, int? UnhealthyThreshold = null, int? HealthyThreshold = null, List<int>? ExpectedStatuses = null,
    bool? Enabled = null);

/// <summary>Ejection of a destination after consecutive failed requests; 0 or left out takes the default.</summary>
/// <param name="ConsecutiveFailures">1-1000; default 5.</param>
/// <param name="EjectionMs">100-3600000; default 30000.</param>
/// <param name="Enabled">false removes the route's passive health check in an update (the other fields are then ignored).</param>
public sealed record RoutePassiveHealthCheck(int? ConsecutiveFailures = null, int? EjectionMs = null, bool? Enabled = null);

/// <param name="Path">
/// The exact path. MCP and A2A routes: left out, '/{tenant}/{name}'. HTTP routes take exactly one of path, pathPrefix
/// and pathRegex (none given: pathPrefix '/{tenant}/{name}'). Paths and prefixes must lie under '/{tenant}', and a
/// regex must start with '^/{tenant}/' (without top-level '|'), unless the route names hosts.
/// </param>
/// <param name="FailureMode">'open' (default: a failing target is left out of lists) or 'closed' (it fails them).</param>
/// <param name="TargetTimeoutMs">How long one target may take for one request (1-600000 ms); null takes the proxy's default.</param>
/// <param name="ToolPinning">
/// 'withhold' (default: a tool whose definition no approved pin matches is hidden and refused until a tenant admin
/// approves it; new tools without hidden-instruction findings are trusted on first sight), 'flag' (listed and
/// callable, marked in its _meta) or 'off'.
/// </param>
/// <param name="Kind">
/// 'mcp' (default: federates the MCP servers in targets), 'http' (forwards to destinations), 'a2a' (an agent of the
/// tenant) or 'llm' (OpenAI- and Anthropic-compatible endpoints below the path, in front of the tenant's LLM providers).
/// </param>
/// <param name="PathPrefix">HTTP routes: a path prefix, matched on segment boundaries.</param>
/// <param name="PathRegex">HTTP routes: a .NET regular expression the whole path must match.</param>
/// <param name="Hosts">
/// Host names without port, exact or '*.example.com'; empty takes any host. A host (or a wildcard covering it) that
/// another tenant's route uses is refused (409).
/// </param>
/// <param name="Methods">Upper-case HTTP methods; empty takes any.</param>
/// <param name="Headers">Header conditions; every one must hold.</param>
/// <param name="Query">Query parameter conditions; every one must hold.</param>
/// <param name="Destinations">HTTP routes: at least one; each URL is checked against the egress policy.</param>
/// <param name="PreserveHost">HTTP routes: send the client's Host header upstream instead of the destination's.</param>
/// <param name="Agent">A2A routes: the name of a registered agent of the tenant (required).</param>
/// <param name="Providers">LLM routes: at least one provider of the tenant's catalog; without models, any model is sent as named to the first.</param>
/// <param name="Models">LLM routes: the models clients may name (empty: any model).</param>
/// <param name="PassiveHealthCheck">HTTP routes: ejects a destination; LLM routes: a provider (tried only after every other target while ejected).</param>
/// <param name="ActiveHealthCheck">HTTP routes: probes every destination (path required); LLM routes: every provider (no path: its model list, with its key).</param>
public sealed record CreateRouteRequest(
    string? Name, string? Path, List<string>? Targets, string? PrefixMode, string? FailureMode = null, int? TargetTimeoutMs = null, string? ToolPinning = null,
    string? Kind = null, string? PathPrefix = null, string? PathRegex = null, List<string>? Hosts = null, List<string>? Methods = null,
    List<RouteCondition>? Headers = null, List<RouteCondition>? Query = null, List<RouteDestination>? Destinations = null,
    RouteActiveHealthCheck? ActiveHealthCheck = null, RoutePassiveHealthCheck? PassiveHealthCheck = null, bool? PreserveHost = null,
    string? Agent = null, List<string>? Providers = null, List<RouteLlmModel>? Models = null);

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

public sealed record RouteToolsResponse(string Route, string Endpoint, IReadOnlyList<RouteToolResponse> Tools, IReadOnlyList<TargetErrorResponse> Errors);

public sealed record RouteToolResponse(string Name, string Target, string? Title, string? Description, JsonElement InputSchema);

public sealed record TargetErrorResponse(string Target, string Message);

/// <param name="Rejected">The resources the proxy refuses while it serves the rest of the config it applied.</param>
public sealed record ProxyStatusResponse(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError, IReadOnlyList<RejectedResourceResponse> Rejected);

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

/// <summary>Whether a route reaches traffic.</summary>
/// <param name="State">
/// 'served' (every proxy connected to this AdminApi replica serves it), 'pending' (the change has not reached the
/// proxies' config yet) or 'refused' (the control plane left it out, or a proxy refused it: see problems).
/// </param>
public sealed record RouteStatusResponse(string State, IReadOnlyList<RouteProblemResponse> Problems);

/// <summary>Why a route does not reach traffic.</summary>
/// <param name="Source">'control-plane', or 'proxy {node id}'.</param>
/// <param name="PreviousServed">The proxy still serves the route's previous version.</param>
public sealed record RouteProblemResponse(string Source, string Message, bool PreviousServed);

/// <summary>A resource a proxy refuses while it serves the rest.</summary>
public sealed record RejectedResourceResponse(string Type, string Name, string Version, IReadOnlyList<string> Errors, bool PreviousServed);
