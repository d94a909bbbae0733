using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>
/// The whole platform started from the AppHost (Aspire.Hosting.Testing), once per test collection, on free ports
/// and with a throw-away PostgreSQL data directory and issuer key directory.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    /// <summary>Where the Portal links a call's trace id.</summary>
    public const string TraceUrlTemplate = "http://dashboard.test/traces/detail/{traceId}";

    /// <summary>
    /// How long the whole platform may take to start and become healthy. Generous: on two cores it starts while other
    /// test collections start their own services, and a slow machine took more than three minutes.
    /// </summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(6);
    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "agentgateway-e2e-" + Guid.NewGuid().ToString("N"));
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost is not started.");

    public int ProxyPort { get; } = ServiceProcess.GetFreePort();

    public int AdminApiPort { get; } = ServiceProcess.GetFreePort();

    public int AdminApiXdsPort { get; } = ServiceProcess.GetFreePort();

    public int PortalPort { get; } = ServiceProcess.GetFreePort();

    public int IdentityPort { get; } = ServiceProcess.GetFreePort();

    public int UtilsPort { get; } = ServiceProcess.GetFreePort();

    public int NotesPort { get; } = ServiceProcess.GetFreePort();

    public int ModelsPort { get; } = ServiceProcess.GetFreePort();

    public int PostgresPort { get; } = ServiceProcess.GetFreePort();

    public int ProxyManagementPort { get; } = ServiceProcess.GetFreePort();

    public int AdminApiManagementPort { get; } = ServiceProcess.GetFreePort();

    public Uri ProxyUrl => new($"http://localhost:{ProxyPort}");

    public Uri AdminApiUrl => new($"http://localhost:{AdminApiPort}");

    public Uri PortalUrl => new($"http://localhost:{PortalPort}");

    public Uri UtilsMcpUrl => new($"http://localhost:{UtilsPort}/mcp");

    public Uri NotesMcpUrl => new($"http://localhost:{NotesPort}/mcp");

    public Uri TokenEndpoint => new($"http://localhost:{IdentityPort}/realms/agentgateway/protocol/openid-connect/token");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(s_startTimeout);
        string[] args =
        [
            $"--Ports:Proxy={ProxyPort}",
            $"--Ports:AdminApi={AdminApiPort}",
            $"--Ports:AdminApiXds={AdminApiXdsPort}",
            $"--Ports:Portal={PortalPort}",
            $"--Ports:Identity={IdentityPort}",
            $"--Ports:Utils={UtilsPort}",
            $"--Ports:Notes={NotesPort}",
            $"--Ports:Models={ModelsPort}",
            $"--Ports:Postgres={PostgresPort}",
            $"--Ports:ProxyManagement={ProxyManagementPort}",
            $"--Ports:AdminApiManagement={AdminApiManagementPort}",
            $"--Postgres:DataDirectory={Path.Combine(_dataRoot, "postgres")}",
            $"--Identity:DataPath={Path.Combine(_dataRoot, "identity")}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            $"--Telemetry:TraceUrlTemplate={TraceUrlTemplate}",
        ];

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AgentGateway_AppHost>(args, timeout.Token);

        // Without a dashboard to receive telemetry, services would wait ~13 s at shutdown trying to flush it.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        foreach (var resource in new[] { "postgres", "identity", "utils", "notes", "models", "adminapi", "proxy", "portal" })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        // The tests register servers they start on loopback, which tenant URLs may not reach by default.
        using var api = await CreateAdminApiClientAsync(timeout.Token);
        foreach (var cidr in new[] { "127.0.0.0/8", "::1/128" })
        {
            using var allowed = await api.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr, description = "servers the end-to-end tests start" }, timeout.Token);
            allowed.EnsureSuccessStatusCode();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_dataRoot))
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
    }

    /// <summary>A platform admin's access token from the issuer's password grant (Keycloak's direct access grant).</summary>
    public async Task<string> GetAdminTokenAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "agentgateway-cli",
            ["client_secret"] = "cli-secret",
            ["username"] = "admin",
            ["password"] = "admin",
        }), cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>An HttpClient for AdminApi's REST API, authenticated as a platform admin.</summary>
    public async Task<HttpClient> CreateAdminApiClientAsync(CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = AdminApiUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetAdminTokenAsync(cancellationToken));
        return http;
    }
}
