using System.Text.Json;

namespace AgentGateway.Proxy.Config.File;

/// <summary>The standalone config file (YAML or JSON): the same resources the control plane serves over xDS.</summary>
internal sealed class GatewayFileDocument
{
    public List<RouteDocument> Routes { get; set; } = [];

    /// <summary>Keys that seal MCP session ids; give every proxy of a fleet the same keys.</summary>
    public List<SessionKeyDocument> SessionKeys { get; set; } = [];

    /// <summary>Which addresses upstream connections may reach (<c>EgressPolicy</c>); absent lets every address through.</summary>
    public JsonElement? Egress { get; set; }

    /// <summary>Hosts given whole to a tenant (<c>HostGrant</c>): its routes naming only them may leave <c>/{tenant}/</c>.</summary>
    public List<HostGrantDocument> HostGrants { get; set; } = [];
}

internal sealed class HostGrantDocument
{
    /// <summary>An exact host or <c>*.example.com</c>, without port.</summary>
    public string? Host { get; set; }

    public string? Tenant { get; set; }
}

internal sealed class SessionKeyDocument
{
    public string? Id { get; set; }

    /// <summary>32 random bytes, base64 (e.g. <c>openssl rand -base64 32</c>).</summary>
    public string? Key { get; set; }

    public bool Primary { get; set; }
}

internal sealed class RouteDocument
{
    public string? Tenant { get; set; }

    public string? Name { get; set; }

    /// <summary>Shorthand for <c>match: {path: ...}</c>.</summary>
    public string? Path { get; set; }

    /// <summary>Which requests the route takes (<c>RouteMatch</c>): path, pathPrefix or pathRegex, hosts, methods, headers, query.</summary>
    public JsonElement? Match { get; set; }

    /// <summary>The route's request policies (<c>RoutePolicies</c>).</summary>
    public JsonElement? Policies { get; set; }

    public McpBackendDocument? Mcp { get; set; }

    /// <summary>An HTTP backend (<c>HttpBackend</c>): weighted destinations, health checks, auth and TLS.</summary>
    public JsonElement? Http { get; set; }

    /// <summary>An A2A agent (<c>A2aBackend</c>).</summary>
    public JsonElement? A2a { get; set; }

    /// <summary>LLM providers (<c>LlmBackend</c>).</summary>
    public JsonElement? Llm { get; set; }

    /// <summary>
    /// LLM routes: until when the tenant's LLM budget is spent (the route refuses requests until then). The control
    /// plane sets it from reported usage; in a file it is the operator's to set.
    /// </summary>
    public DateTimeOffset? TenantLlmBudgetExhaustedUntil { get; set; }
}

internal sealed class McpBackendDocument
{
    public string? PrefixMode { get; set; }

    /// <summary><c>open</c> (default) or <c>closed</c>.</summary>
    public string? FailureMode { get; set; }

    public uint? TargetTimeoutMs { get; set; }

    /// <summary>Tool pinning (<c>ToolPinning</c>).</summary>
    public JsonElement? ToolPinning { get; set; }

    public List<McpTargetDocument> Targets { get; set; } = [];
}

internal sealed class McpTargetDocument
{
    public string? Name { get; set; }

    public StreamableHttpDocument? StreamableHttp { get; set; }

    /// <summary>The legacy HTTP+SSE transport; same fields as <see cref="StreamableHttp"/>.</summary>
    public StreamableHttpDocument? Sse { get; set; }

    public StdioDocument? Stdio { get; set; }

    public OpenApiDocument? Openapi { get; set; }

    /// <summary>How the gateway authenticates to the target (<c>BackendAuth</c>).</summary>
    public JsonElement? Auth { get; set; }

    /// <summary>How the gateway connects to the target over TLS (<c>BackendTls</c>).</summary>
    public JsonElement? Tls { get; set; }
}

internal sealed class OpenApiDocument
{
    public string? SpecUrl { get; set; }

    public string? BaseUrl { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];
}

internal sealed class StdioDocument
{
    public string? Command { get; set; }

    public List<string> Args { get; set; } = [];

    public Dictionary<string, string> Env { get; set; } = [];

    public string? WorkingDirectory { get; set; }
}

internal sealed class StreamableHttpDocument
{
    public string? Url { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];
}
