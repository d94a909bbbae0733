using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.A2a;

/// <summary>
/// A standalone proxy in front of two SDK agents, one speaking A2A v1.0 and one v0.3, with one route per behaviour:
/// plain routes for each, a route that needs a JWT or an API key, and one whose rules authorize methods.
/// </summary>
public sealed class A2aGatewayFixture : IAsyncLifetime
{
    public const string Audience = "agw-a2a-tests";
    public const string ApiKey = "agk_a2a_test_key";

    /// <summary>A loopback webhook address the egress policy allows explicitly.</summary>
    public const int AllowedWebhookPort = 9;

    private StandaloneProxy? _proxy;

    public TestJwtIssuer Issuer { get; } = new();

    public NodeA2aAgent AgentV10 { get; private set; } = null!;

    public NodeA2aAgent AgentV03 { get; private set; } = null!;

    public StandaloneProxy Proxy => _proxy!;

    /// <summary>Where the proxy exports its telemetry.</summary>
    public OtlpReceiver Telemetry { get; private set; } = null!;

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    public string Token(string subject = "alice") => Issuer.Token(Audience, subject: subject);

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        AgentV10 = await NodeA2aAgent.StartAsync("1.0", cancellationToken);
        AgentV03 = await NodeA2aAgent.StartAsync("0.3", cancellationToken);
        object Route(string name, NodeA2aAgent agent, object? policies = null) =>
            new { tenant = "acme", name, path = $"/acme/{name}", policies, a2a = new { url = agent.BaseUrl.ToString() } };
        var jwtAuth = new { providers = new[] { new { issuer = Issuer.Issuer, audiences = new[] { Audience }, jwks = Issuer.Jwks() } } };
        var config = new
        {
            egress = new { allow = new[] { new { cidr = "127.0.0.1/32", ports = new[] { AllowedWebhookPort } } } },
            routes = new[]
            {
                Route("agent10", AgentV10),
                Route("agent03", AgentV03),
                Route("secure", AgentV10, new
                {
                    jwtAuth,
                    apiKeyAuth = new { keys = new[] { new { id = "key-1", name = "ci", key = new { inline = ApiKey } } } },
                }),
                Route("rbac", AgentV03, new
                {
                    jwtAuth,
                    a2aAuthorization = new
                    {
                        rules = new object[]
                        {
                            new { name = "admins", expression = "jwt.sub == 'admin'" },
                            new { name = "messages", expression = "a2a.method in ['SendMessage', 'SendStreamingMessage', 'GetTask']" },
                        },
                    },
                }),
            },
        };
        Telemetry = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string>(Telemetry.Settings(TimeSpan.FromMilliseconds(500))) { ["Telemetry:Metrics:Route"] = "true" };
        _proxy = await StandaloneProxy.StartAsync(config, cancellationToken, settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }

        foreach (var agent in new[] { AgentV10, AgentV03 })
        {
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }
        }

        Issuer.Dispose();
    }
}
