using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Identity;
using AgentGateway.Tests.Samples;

namespace AgentGateway.Tests.AdminApi.Fixtures;

/// <summary>
/// AdminApi as a real process against a real PostgreSQL and the real local issuer, with the sample MCP servers
/// to register. Shared by a test collection; each test works in tenants of its own. The egress allowlist lets tenant
/// URLs reach the sample servers' loopback ports (and port 9, where nothing listens) and the host
/// <c>example.test</c>, which does not resolve; every other restricted address stays refused.
/// </summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    private readonly IdentityServerFixture _identity = new();
    private readonly SampleServerFixture _samples = new();
    private PostgresServer? _postgres;
    private readonly string _masterKey = NewMasterKey();
    private ServiceProcess? _adminApi;

    public Uri AdminApiUrl => _adminApi!.BaseAddress;

    public Uri XdsUrl { get; private set; } = null!;

    /// <summary>The main AdminApi's management listener (Prometheus at <c>/metrics</c>).</summary>
    public Uri ManagementUrl { get; } = new($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");

    public SampleServerFixture Samples => _samples;

    /// <summary>The local issuer AdminApi (and the proxies it configures) trust.</summary>
    public IdentityServerFixture Identity => _identity;

    /// <summary>A proxy in xDS mode connected to this control plane (proxy client credentials), ready once it holds a config.</summary>
    public async Task<ServiceProcess> StartProxyAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var configuration = new Dictionary<string, string>
        {
            ["Xds:Address"] = XdsUrl.ToString(),
            ["Xds:ClientId"] = "agentgateway-proxy",
            ["Xds:ClientSecret"] = "proxy-secret",
            ["Identity:Authority"] = _identity.Issuer.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        var proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", configuration, cancellationToken);
        await proxy.WaitUntilReadyAsync(cancellationToken);
        return proxy;
    }

    public string AdminApiOutput => _adminApi?.Output ?? string.Empty;

    /// <summary>The control plane's database, to check what is stored at rest.</summary>
    public string ConnectionString => _postgres!.ConnectionString("agentgateway");

    /// <summary>The loopback port nothing listens on that the allowlist lets tenant URLs use.</summary>
    public const int DiscardPort = 9;

    /// <summary>Where AdminApi says users reach the Portal (nothing serves it).</summary>
    public const string PortalUrl = "http://portal.test:5090";

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var postgres = PostgresServer.StartAsync(cancellationToken);
        await Task.WhenAll(postgres, _identity.InitializeAsync().AsTask(), _samples.InitializeAsync().AsTask());
        _postgres = await postgres;

        (_adminApi, XdsUrl) = await StartAdminApiAsync("agentgateway", _masterKey, [], cancellationToken, MainAdminApiSettings());

        using var admin = await CreateClientAsync("admin", cancellationToken);
        foreach (var rule in new object[]
        {
            new { cidr = "127.0.0.1/32", ports = new[] { _samples.UtilsEndpoint.Port, _samples.NotesEndpoint.Port, DiscardPort }, description = "the sample servers" },
            new { host = "example.test", description = "a host that does not resolve, for requests that are never sent" },
        })
        {
            using var response = await admin.PostAsJsonAsync("/api/v1/egress-allowlist", rule, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Another AdminApi process on a database of its own (created when missing) of the same PostgreSQL, trusting the
    /// same issuer, with the given master keys; with its xDS address.
    /// </summary>
    public async Task<(ServiceProcess AdminApi, Uri XdsUrl)> StartAdminApiAsync(
        string database, string masterKey, IReadOnlyList<string> previousMasterKeys, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null, Uri? baseAddress = null, Uri? xdsUrl = null)
    {
        var port = baseAddress?.Port ?? ServiceProcess.GetFreePort();
        xdsUrl ??= new Uri($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");
        var configuration = new Dictionary<string, string>
        {
            ["ConnectionStrings:agentgateway"] = _postgres!.ConnectionString(database),
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Xds:Url"] = xdsUrl.ToString(),
            ["Identity:Authority"] = _identity.Issuer.ToString(),
            ["Proxy:PublicUrl"] = "http://gateway.test:8080",
            ["Portal:PublicUrl"] = PortalUrl,
            ["Secrets:MasterKey"] = masterKey,
        };
        for (var index = 0; index < previousMasterKeys.Count; index++)
        {
            configuration[$"Secrets:PreviousMasterKeys:{index}"] = previousMasterKeys[index];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        return (await ServiceProcess.StartAsync("AgentGateway.AdminApi", configuration, cancellationToken, port), xdsUrl);
    }

    /// <summary>The control plane's PostgreSQL, to stop and start again.</summary>
    public PostgresServer Postgres => _postgres!;

    /// <summary>Kills the main AdminApi process, as a crash would.</summary>
    public Task StopAdminApiAsync() => _adminApi!.DisposeAsync().AsTask();

    /// <summary>Starts the main AdminApi again, on the same addresses (the proxies' xDS address included) and settings.</summary>
    public async Task RestartAdminApiAsync(CancellationToken cancellationToken) =>
        (_adminApi, _) = await StartAdminApiAsync(
            "agentgateway", _masterKey, [], cancellationToken, MainAdminApiSettings(), AdminApiUrl, XdsUrl);

    /// <summary>
    /// The main AdminApi's own settings: its management address, and a revocation queue that asks a failing server
    /// again after a second (then two, ...) and gives up after three tries, so that a test sees the schedule through.
    /// </summary>
    private Dictionary<string, string> MainAdminApiSettings() => new()
    {
        ["Management:Url"] = ManagementUrl.ToString().TrimEnd('/'),
        ["Connections:Revocation:FirstRetry"] = "00:00:01",
        ["Connections:Revocation:MaxAttempts"] = "3",
    };

    public static string NewMasterKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string DatabaseConnectionString(string database) => _postgres!.ConnectionString(database);

    public async ValueTask DisposeAsync()
    {
        if (_adminApi is not null)
        {
            await _adminApi.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        await _samples.DisposeAsync();
        await _identity.DisposeAsync();
    }

    /// <summary>An access token from the issuer: a user's (password grant) or a client's (client credentials).</summary>
    public async Task<string> GetTokenAsync(string username, CancellationToken cancellationToken)
    {
        var form = username switch
        {
            "proxy" => new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "agentgateway-proxy",
                ["client_secret"] = "proxy-secret",
            },
            _ => new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["client_id"] = "agentgateway-cli",
                ["client_secret"] = "cli-secret",
                ["username"] = username,
                ["password"] = username,
            },
        };
        using var http = new HttpClient();
        using var response = await http.PostAsync(_identity.TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>An AdminApi client acting as <paramref name="username"/> (<c>admin</c> or <c>developer</c>).</summary>
    public async Task<HttpClient> CreateClientAsync(string username, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = AdminApiUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync(username, cancellationToken));
        return http;
    }
}
