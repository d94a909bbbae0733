using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Identity;

/// <summary>The local OIDC issuer, running as a real process on loopback with the demo users and clients.</summary>
public sealed class IdentityServerFixture : IAsyncLifetime
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "agentgateway-identity-tests-" + Guid.NewGuid().ToString("N"));
    private ServiceProcess? _service;

    public const string PortalRedirectUri = "http://localhost:5090/signin-oidc";

    /// <summary>The tenant whose roles users <c>carol</c> (a group) and <c>dave</c> (a client role) get from their tokens.</summary>
    public const string MappedTenant = "keycloak-mapped";

    public Uri Issuer { get; private set; } = null!;

    /// <summary>Where the issuer keeps its keys.</summary>
    public string DataPath => _dataPath;

    /// <summary>The configuration the issuer was started with (to start a second instance like it).</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; private set; } = new Dictionary<string, string>();

    public Uri TokenEndpoint => new(Issuer + "/protocol/openid-connect/token");

    /// <summary>Settings added to (or replacing) the defaults, set before the issuer starts (more clients, resources).</summary>
    public Dictionary<string, string> AdditionalConfiguration { get; } = new(StringComparer.Ordinal);

    public ServiceProcess Service => _service ?? throw new InvalidOperationException("The issuer is not started.");

    public async ValueTask InitializeAsync()
    {
        var port = ServiceProcess.GetFreePort();
        Issuer = new Uri($"http://127.0.0.1:{port}/realms/agentgateway");
        var configuration = new Dictionary<string, string>
        {
            ["Identity:Issuer"] = Issuer.ToString().TrimEnd('/'),
            ["Identity:DataPath"] = _dataPath,
            ["Identity:Users:0:Username"] = "admin",
            ["Identity:Users:0:Password"] = "admin",
            ["Identity:Users:0:Email"] = "admin@agentgateway.local",
            ["Identity:Users:0:Name"] = "Platform Admin",
            ["Identity:Users:0:Roles:0"] = "platform-admin",
            ["Identity:Users:1:Username"] = "developer",
            ["Identity:Users:1:Password"] = "developer",
            ["Identity:Users:1:Email"] = "developer@agentgateway.local",

            // Users whose platform and tenant roles come from the token alone, as with Keycloak roles and groups.
            ["Identity:Users:2:Username"] = "carol",
            ["Identity:Users:2:Password"] = "carol",
            ["Identity:Users:2:Groups:0"] = "/tenants/" + MappedTenant + "/developer",
            ["Identity:Users:3:Username"] = "dave",
            ["Identity:Users:3:Password"] = "dave",
            ["Identity:Users:3:ClientRoles:agentgateway:0"] = "tenant:" + MappedTenant + ":admin",
            ["Identity:Users:4:Username"] = "erin",
            ["Identity:Users:4:Password"] = "erin",
            ["Identity:Users:4:Groups:0"] = "/platform-admins",
            ["Identity:Clients:0:ClientId"] = "agentgateway-cli",
            ["Identity:Clients:0:ClientSecret"] = "cli-secret",
            ["Identity:Clients:0:Grants:0"] = "client_credentials",
            ["Identity:Clients:0:Grants:1"] = "password",
            ["Identity:Clients:0:Roles:0"] = "platform-admin",
            ["Identity:Clients:0:TokenAudiences:0"] = "agentgateway-proxy",
            ["Identity:Audiences:0"] = "urn:probe",
            ["Identity:Resources:0"] = "http://probe.test/",
            ["Identity:ClientMetadataDocumentsOnLoopbackHttp"] = "true",
            ["Identity:Clients:2:ClientId"] = "agentgateway-portal",
            ["Identity:Clients:2:ClientSecret"] = "portal-secret",
            ["Identity:Clients:2:Grants:0"] = "authorization_code",
            ["Identity:Clients:2:Grants:1"] = "refresh_token",
            ["Identity:Clients:2:RedirectUris:0"] = PortalRedirectUri,
            ["Identity:Clients:2:PostLogoutRedirectUris:0"] = "http://localhost:5090/signout-callback-oidc",
            ["Identity:Clients:1:ClientId"] = "agentgateway-proxy",
            ["Identity:Clients:1:ClientSecret"] = "proxy-secret",
            ["Identity:Clients:1:Grants:0"] = "client_credentials",
            ["Identity:Clients:1:Grants:1"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["Identity:Clients:1:Roles:0"] = "proxy",
            ["Identity:Clients:1:Audiences:0"] = "urn:probe",
            ["Identity:Clients:1:Resources:0"] = "http://probe.test/",
        };

        foreach (var (key, value) in AdditionalConfiguration)
        {
            configuration[key] = value;
        }

        Configuration = configuration;

        // The issuer names its own port, so the process must listen exactly there.
        _service = await ServiceProcess.StartAsync("AgentGateway.Identity", configuration, TestContext.Current.CancellationToken, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
