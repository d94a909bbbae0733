using AgentGateway.AdminApi.Domain.Routes;

namespace AgentGateway.AdminApi.Endpoints.Contracts;

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
