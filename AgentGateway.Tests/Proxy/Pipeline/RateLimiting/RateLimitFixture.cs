using System.Net;
using System.Net.Sockets;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

[CollectionDefinition(Name)]
public sealed class RateLimitCollection : ICollectionFixture<RateLimitFixture>
{
    public const string Name = "Rate limits";
}

/// <summary>
/// Two standalone proxies sharing one real <c>redis-server</c>, with one route per rate-limit case in front of the
/// <see cref="ProbeServer"/> (MCP routes) and <see cref="RateLimitUpstreams"/> (HTTP routes and the Envoy rate-limit
/// service). Every bucket that must not refill during a test fills once a minute.
/// </summary>
public sealed class RateLimitFixture : IAsyncLifetime
{
    public const string Audience = "agw-tests";
    public const string KeyA = "agk_rate_a";
    public const string KeyB = "agk_rate_b";

    private const int Minute = 60_000;

    private StandaloneProxy? _first;
    private StandaloneProxy? _second;

    public TestCertificates Certificates { get; } = new();

    public TestJwtIssuer Issuer { get; } = new();

    public ProbeServer Probe { get; private set; } = null!;

    public RateLimitUpstreams Upstreams { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public StandaloneProxy First => _first!;

    public StandaloneProxy Second => _second!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Probe = await ProbeServer.StartAsync(Certificates, Issuer);
        Upstreams = await RateLimitUpstreams.StartAsync();
        Redis = await RedisServer.StartAsync(cancellationToken);
        var settings = new Dictionary<string, string> { ["RateLimiting:Redis"] = Redis.ConnectionString, ["Management:Url"] = $"http://127.0.0.1:{_managementPort}" };
        _first = await StandaloneProxy.StartAsync(Config(), cancellationToken, settings);
        // The second replica finds Redis the way Aspire tells it: ConnectionStrings:redis.
        _second = await StandaloneProxy.StartAsync(Config(), cancellationToken, new Dictionary<string, string> { ["ConnectionStrings:redis"] = Redis.ConnectionString });
    }

    private readonly int _managementPort = ServiceProcess.GetFreePort();

    /// <summary>The first replica's Prometheus scrape endpoint.</summary>
    public Uri FirstMetrics => new($"http://127.0.0.1:{_managementPort}/metrics");

    public Uri Route(string name, StandaloneProxy? proxy = null) => new((proxy ?? First).BaseAddress, $"/acme/{name}");

    /// <summary>A token of the test issuer for the JWT route.</summary>
    public string Token(string subject) => Issuer.Token(Audience, subject: subject);

    /// <summary>A GET of an HTTP route, from <paramref name="localAddress"/> when given (another loopback address).</summary>
    public static async Task<HttpResponseMessage> GetAsync(Uri uri, CancellationToken cancellationToken, IDictionary<string, string>? headers = null, IPAddress? localAddress = null)
    {
        using var handler = new SocketsHttpHandler();
        if (localAddress is not null)
        {
            handler.ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        await Redis.DisposeAsync();
        await Upstreams.DisposeAsync();
        await Probe.DisposeAsync();
        Certificates.Dispose();
    }

    private static object Bucket(string name, uint maxTokens, string? key = null, uint fillIntervalMs = Minute, uint tokensPerFill = 0) =>
        new { name, key, maxTokens, tokensPerFill, fillIntervalMs };

    private object Config()
    {
        var issuer = Issuer.Issuer;
        object Mcp(string name, object policies) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies,
            mcp = new { targets = new[] { new { name = "probe", streamableHttp = new { url = Probe.McpEndpoint.ToString() } } } },
        };
        object Http(string name, object policies) => new
        {
            tenant = "acme",
            name,
            match = new { pathPrefix = $"/acme/{name}" },
            policies,
            http = new { destinations = new[] { new { name = "upstream", url = Upstreams.HttpAddress.ToString() } } },
        };
        object Local(params object[] buckets) => new { localRateLimit = new { buckets } };

        var routes = new[]
        {
            Mcp("mcp-limited", Local(Bucket("per-route", 2))),
            Http("http-limited", Local(Bucket("small", 2), Bucket("large", 100))),
            Http("refilling", Local(Bucket("fast", 1, fillIntervalMs: 300))),
            Http("by-key", new
            {
                apiKeyAuth = new
                {
                    keys = new object[]
                    {
                        new { id = "key-a", name = "a", key = new { inline = KeyA } },
                        new { id = "key-b", name = "b", key = new { inline = KeyB } },
                    },
                },
                localRateLimit = new { buckets = new[] { Bucket("per-key", 1, "api-key") } },
            }),
            Http("by-ip", Local(Bucket("per-ip", 1, "client-ip"))),
            Http("by-header", Local(Bucket("per-user", 1, "header:x-user"))),
            Http("by-claim", new
            {
                jwtAuth = new { providers = new[] { new { issuer, audiences = new[] { Audience }, jwksUri = issuer + "/jwks" } } },
                localRateLimit = new { buckets = new[] { Bucket("per-subject", 1, "claim:sub") } },
            }),
            Http("tenant-one", Local(Bucket("tenant-wide", 2, "tenant"))),
            Http("tenant-two", Local(Bucket("tenant-wide", 2, "tenant"))),
            Http("redis-shared", new { rateLimit = new { redis = new { buckets = new[] { Bucket("shared", 3) } }, timeoutMs = 10_000 } }),
            Http("redis-open", new { rateLimit = new { redis = new { buckets = new[] { Bucket("open", 100_000, "header:x-user") } }, timeoutMs = 300 } }),
            Http("redis-closed", new { rateLimit = new { redis = new { buckets = new[] { Bucket("closed", 100_000, "header:x-user") } }, timeoutMs = 300, failureMode = "closed" } }),
            Http("envoy", new
            {
                rateLimit = new
                {
                    envoy = new
                    {
                        address = Upstreams.RlsAddress.ToString(),
                        domain = "agentgateway",
                        descriptors = new[]
                        {
                            new { entries = new[] { new { name = "tenant", value = "%tenant%" }, new { name = "user", value = "u-%header:x-user%" } } },
                        },
                    },
                    timeoutMs = 10_000,
                },
            }),
            Mcp("mcp-envoy", new
            {
                rateLimit = new
                {
                    envoy = new
                    {
                        address = Upstreams.RlsAddress.ToString(),
                        domain = "mcp",
                        descriptors = new[] { new { entries = new[] { new { name = "route", value = "%route%" } } } },
                    },
                    timeoutMs = 10_000,
                },
            }),
        };
        return new { routes };
    }
}
