using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Identity;

/// <summary>The local OIDC issuer, running as a real process on loopback with the demo users and clients.</summary>
public sealed class IdentityServerFixture : IAsyncLifetime
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "agentgateway-identity-tests-" + Guid.NewGuid().ToString("N"));
    private ServiceProcess? _service;

    public Uri Issuer { get; private set; } = null!;

    public Uri TokenEndpoint => new(Issuer + "/protocol/openid-connect/token");

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
            ["Identity:Clients:0:ClientId"] = "agentgateway-cli",
            ["Identity:Clients:0:ClientSecret"] = "cli-secret",
            ["Identity:Clients:0:Grants:0"] = "client_credentials",
            ["Identity:Clients:0:Grants:1"] = "password",
            ["Identity:Clients:0:Roles:0"] = "platform-admin",
            ["Identity:Clients:1:ClientId"] = "agentgateway-proxy",
            ["Identity:Clients:1:ClientSecret"] = "proxy-secret",
            ["Identity:Clients:1:Grants:0"] = "client_credentials",
            ["Identity:Clients:1:Roles:0"] = "proxy",
        };

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
