namespace AgentGateway.Proxy.Config.Xds;

/// <summary>How the proxy reaches the control plane (<c>Xds</c> section).</summary>
internal sealed class XdsOptions
{
    public const string SectionName = "Xds";

    /// <summary>The control plane's xDS endpoint (cleartext HTTP/2 or TLS), e.g. <c>http://localhost:5081</c>.</summary>
    public Uri? Address { get; set; }

    /// <summary>This proxy's node id; defaults to <c>{machine}-{process id}</c>.</summary>
    public string? NodeId { get; set; }

    /// <summary>The client that authenticates the proxy (client-credentials grant). No id: connect without a token.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The OpenID Connect issuer whose token endpoint issues the proxy's token.</summary>
    public Uri? Authority { get; set; }

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The tenants this proxy serves (its node's <c>tenants</c> metadata): the control plane sends it only their routes,
    /// host grants and secrets. Empty: every tenant (as far as the proxy's credential may receive).
    /// </summary>
    public IList<string> Tenants { get; } = [];

    /// <summary>How often the proxy reports API key use, newly seen tool definitions, LLM usage and call records to the control plane.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where call and LLM usage records wait on disk until the control plane took them (the journal); defaults to
    /// <c>{temp}/agentgateway-spool/{node id}</c> (give proxies a node id, or a directory on a volume, to find theirs after
    /// a restart or a crash).
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>
    /// How long the proxy reuses a user's token from the control plane's vault (never past shortly before it expires): how
    /// long a user who disconnected may still be served with it.
    /// </summary>
    public TimeSpan UserTokenCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most the journal holds on disk for each kind of record; past it the oldest records go.</summary>
    public long SpoolMaxBytes { get; set; } = 256L * 1024 * 1024;
}
