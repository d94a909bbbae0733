using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Http;

/// <summary>A standalone proxy whose config the tests rewrite, in front of two echo upstreams with health endpoints.</summary>
public sealed class HttpHealthFixture : IAsyncLifetime
{
    public EchoUpstream First { get; private set; } = null!;

    public EchoUpstream Second { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        First = await EchoUpstream.StartAsync("first");
        Second = await EchoUpstream.StartAsync("second");
        Proxy = await StandaloneProxy.StartAsync(Config(), TestContext.Current.CancellationToken);
        Client = new HttpClient { BaseAddress = Proxy.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Routes: <c>/active</c> probes both upstreams every 100 ms; <c>/passive</c> ejects a destination for a minute
    /// after one failed request (one of its destinations is a closed port); <c>/stable</c> for load during reloads,
    /// naming <paramref name="version"/> in a response header.
    /// </summary>
    public object Config(string version = "1", object? extraPolicies = null) => new
    {
        // The tests call 127.0.0.1, granted to the routes' tenant so its routes may take paths outside /acme there.
        hostGrants = new[] { new { host = "127.0.0.1", tenant = "acme" } },
        routes = new object[]
        {
            new
            {
                tenant = "acme",
                name = "active",
                match = new { pathPrefix = "/active" },
                http = new
                {
                    destinations = new[] { new { name = "first", url = First.Address.ToString() }, new { name = "second", url = Second.Address.ToString() } },
                    activeHealthCheck = new { path = "/healthz", intervalMs = 100, timeoutMs = 1000, unhealthyThreshold = 1, healthyThreshold = 1 },
                },
            },
            new
            {
                tenant = "acme",
                name = "passive",
                match = new { pathPrefix = "/passive" },
                http = new
                {
                    destinations = new[] { new { name = "first", url = First.Address.ToString() }, new { name = "closed", url = "http://127.0.0.1:9" } },
                    passiveHealthCheck = new { consecutiveFailures = 1, ejectionMs = 600_000 },
                },
            },
            new
            {
                tenant = "acme",
                name = "stable",
                match = new { pathPrefix = "/stable" },
                policies = extraPolicies ?? new { responseHeaders = new { set = new[] { new { name = "x-config", value = version } } } },
                http = new { destinations = new[] { new { name = "first", url = First.Address.ToString() } } },
            },
        },
    };

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (First is not null)
        {
            await First.DisposeAsync();
        }

        if (Second is not null)
        {
            await Second.DisposeAsync();
        }
    }
}
