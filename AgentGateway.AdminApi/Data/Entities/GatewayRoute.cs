using System.Text.Json.Nodes;
using AgentGateway.Contracts.Policies.Kinds;

namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A client-facing endpoint of a tenant: it federates MCP servers (kind <c>mcp</c>), forwards to HTTP destinations
/// (<c>http</c>), exposes an agent of the tenant's catalog (<c>a2a</c>) or its LLM providers (<c>llm</c>).
/// </summary>
internal sealed class GatewayRoute : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary><c>mcp</c>, <c>http</c>, <c>a2a</c> or <c>llm</c> (see <c>RouteKinds</c>).</summary>
    public string Kind { get; set; } = RouteKinds.Mcp;

    /// <summary>The exact request path on the proxy; null for an HTTP route matching a prefix or a regex.</summary>
    public string? Path { get; set; }

    /// <summary>HTTP routes: the path prefix matched on segment boundaries.</summary>
    public string? PathPrefix { get; set; }

    /// <summary>HTTP routes: the regular expression the whole path must match.</summary>
    public string? PathRegex { get; set; }

    /// <summary>The hosts the route takes (empty: any); no other tenant's route may use them.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>The rest of the match (methods, headers, query) as the proto JSON of a <c>RouteMatch</c>; null when none.</summary>
    public JsonObject? Conditions { get; set; }

    /// <summary>
    /// A digest of the whole match (path kind and value, hosts, methods, headers, query), unique across the platform:
    /// two routes cannot take the same requests.
    /// </summary>
    public required string MatchKey { get; set; }

    /// <summary>HTTP routes: the proto JSON of the <c>HttpBackend</c> (destinations, health checks, preserveHost; never auth or TLS).</summary>
    public JsonObject? Http { get; set; }

    /// <summary>
    /// LLM routes: the proto JSON of the <c>LlmBackend</c> with its providers by name only (their kind, URL and
    /// timeout come from the tenant's catalog, their credentials from policies), its models and passive health check.
    /// </summary>
    public JsonObject? Llm { get; set; }

    /// <summary>A2A routes: the agent of the tenant's catalog.</summary>
    public Guid? AgentId { get; set; }

    public Agent? Agent { get; set; }

    public PrefixModeSetting PrefixMode { get; set; }

    public FailureModeSetting FailureMode { get; set; }

    /// <summary>How long one target may take for one request, in milliseconds; null takes the proxy's default.</summary>
    public int? TargetTimeoutMs { get; set; }

    /// <summary>What proxies do with tools no approved pin matches.</summary>
    public ToolPinningSetting ToolPinning { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    public Tenant? Tenant { get; set; }

    public List<RouteTarget> Targets { get; set; } = [];
}
