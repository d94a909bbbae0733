namespace AgentGateway.Proxy.Kinds.Mcp;

/// <summary>Tuning of the MCP multiplexer (<c>Mcp</c> section).</summary>
internal sealed class McpGatewayOptions
{
    public const string SectionName = "Mcp";

    /// <summary>How long one target may take to connect and answer one request, unless the route sets its own.</summary>
    public TimeSpan TargetTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a target may take to initialize when a session opens before it is left out of the session.</summary>
    public TimeSpan InitializeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A session with no traffic on a replica for this long is closed there: its upstream sessions end and the replica
    /// refuses its id from then on.
    /// </summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a session id is accepted at all, on every replica.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The largest JSON-RPC request body accepted, in bytes.</summary>
    public long MaxRequestBodySize { get; set; } = 4 * 1024 * 1024;

    /// <summary>How many sessions one route may hold on a replica; an initialize past it is refused (429) until some close or go idle.</summary>
    public int MaxSessionsPerRoute { get; set; } = 10_000;

    /// <summary>How many sessions the routes of one tenant may hold together on a replica.</summary>
    public int MaxSessionsPerTenant { get; set; } = 50_000;

    /// <summary>How many stdio processes one route's sessions may run at once on a replica (one per session and stdio target).</summary>
    public int MaxStdioProcessesPerRoute { get; set; } = 50;

    /// <summary>How many stdio processes the routes of one tenant may run together on a replica.</summary>
    public int MaxStdioProcessesPerTenant { get; set; } = 200;

    /// <summary>How many requests one session may have in flight at once on a replica.</summary>
    public int MaxConcurrentRequestsPerSession { get; set; } = 64;

    /// <summary>How often an open GET stream sends a keep-alive comment.</summary>
    public TimeSpan StreamKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Host names clients may address the gateway by; empty accepts any, except that loopback connections must use a loopback name.</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Variables of the proxy's environment that stdio targets get besides PATH, HOME and the other few every program
    /// needs (e.g. DOTNET_ROOT, JAVA_HOME, HTTPS_PROXY). Nothing else of the proxy's environment reaches them; a route
    /// gives a target its own variables in its <c>env</c>.
    /// </summary>
    public IList<string> StdioInheritedEnvironment { get; } = [];

    /// <summary>Browser origins allowed to call MCP routes; empty allows only pages of the gateway's own host.</summary>
    public IList<string> AllowedOrigins { get; } = [];
}
