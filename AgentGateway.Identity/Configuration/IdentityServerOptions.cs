namespace AgentGateway.Identity.Configuration;

/// <summary>Configuration section <c>Identity</c>: the issuer, its key storage, users and clients.</summary>
internal sealed class IdentityServerOptions
{
    public const string SectionName = "Identity";

    public const string DefaultIssuer = "http://localhost:5070" + Realm.BasePath;

    /// <summary>The issuer URI (<c>{base}/realms/agentgateway</c>).</summary>
    public string Issuer { get; set; } = DefaultIssuer;

    /// <summary>Directory that keeps the signing and encryption keys; defaults under the user's local app data.</summary>
    public string? DataPath { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public List<IdentityUserOptions> Users { get; set; } = [];

    public List<IdentityClientOptions> Clients { get; set; } = [];

    /// <summary>Audiences the realm issues tokens for besides its own (<c>agentgateway</c>), e.g. backends reached by token exchange.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>
    /// Run outside the Development environment (and the tests'). The local issuer is a development and demo tool; a
    /// production platform uses its own identity provider (Keycloak). Set it only to knowingly run this issuer, with
    /// users and clients of your own: the demo credentials are refused outside Development whatever this says.
    /// </summary>
    public bool AllowOutsideDevelopment { get; set; }

    /// <summary>Protected resources (RFC 8707 resource indicators, absolute URIs) tokens may be bound to, e.g. MCP routes.</summary>
    public List<string> Resources { get; set; } = [];

    /// <summary>
    /// How many clients may register themselves (RFC 7591: MCP clients such as Claude, VS Code or Cursor connecting to
    /// a route for the first time); 0 turns dynamic registration off. Registered clients live in memory.
    /// </summary>
    public int MaxDynamicClients { get; set; } = 1000;

    /// <summary>
    /// Accept client ID metadata documents (a client whose id is the HTTPS URL of its metadata, as MCP clients may
    /// use instead of registering): fetched once, on first use. On by default; they count against
    /// <see cref="MaxDynamicClients"/>.
    /// </summary>
    public bool ClientMetadataDocuments { get; set; } = true;

    /// <summary>Also accept documents at plain-HTTP loopback URLs (development and tests only).</summary>
    public bool ClientMetadataDocumentsOnLoopbackHttp { get; set; }

    public string ResolveDataPath() =>
        string.IsNullOrWhiteSpace(DataPath)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "agentgateway",
                "identity")
            : Path.GetFullPath(DataPath);
}
