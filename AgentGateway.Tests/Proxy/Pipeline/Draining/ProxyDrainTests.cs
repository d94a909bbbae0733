using System.Net;
using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;

namespace AgentGateway.Tests.Proxy.Pipeline.Draining;

/// <summary>
/// Proxies stopped with SIGTERM, as an orchestrator stops them, while clients keep sending: an HTTP route to an echo
/// upstream and an MCP route federating the two sample servers, with shared session keys so a session works on any replica.
/// </summary>
public sealed class ProxyDrainTests : IAsyncLifetime
{
    private static readonly TimeSpan s_drainDelay = TimeSpan.FromSeconds(2);

    private readonly SampleServerFixture _samples = new();
    private readonly List<ServiceProcess> _proxies = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-drain-" + Guid.NewGuid().ToString("N"));
    private EchoUpstream _echo = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string ConfigFile => Path.Combine(_directory, "gateway.yaml");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await _samples.InitializeAsync();
        _echo = await EchoUpstream.StartAsync();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await File.WriteAllTextAsync(ConfigFile,
            "sessionKeys:\n"
            + $"  - id: shared\n    key: \"{key}\"\n    primary: true\n"
            + "routes:\n"
            + "  - tenant: acme\n    name: web\n    match:\n      pathPrefix: /acme/web\n    http:\n      destinations:\n"
            + $"        - name: echo\n          url: {_echo.Address}\n"
            + "  - tenant: acme\n    name: mcp\n    path: /acme/mcp\n    mcp:\n      targets:\n"
            + $"        - name: utils\n          streamableHttp:\n            url: {_samples.UtilsEndpoint}\n"
            + $"        - name: notes\n          streamableHttp:\n            url: {_samples.NotesEndpoint}\n",
            Cancellation);
    }

    [Fact]
    public async Task Sigterm_FailsReadiness_ServesOnThroughTheDrain_FinishesRequestsInFlight_EndsStreamsWithARetryHint_AndExitsCleanly()
    {
        var proxy = await StartProxyAsync();
        using var http = new HttpClient();
        var session = await InitializeAsync(http, proxy.BaseAddress);
        using var stream = await OpenStreamAsync(http, proxy.BaseAddress, session);

        using var slowRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy.BaseAddress, "/acme/web/slow"));
        slowRequest.Headers.Add("x-delay-ms", "4000");
        var slow = http.SendAsync(slowRequest, Cancellation);
        await WaitUntilAsync(() => _echo.Requests.Any(request => request.Path.EndsWith("/slow", StringComparison.Ordinal)));

        var balancer = new Balancer([proxy]);
        await using var load = Load.Start(balancer, concurrency: 4);
        await Task.Delay(300, Cancellation);
        var servedBefore = load.Served;

        await proxy.TerminateAsync(Cancellation);
        var signalled = DateTime.UtcNow;

        // Readiness fails at once, while the proxy goes on serving: an orchestrator takes it out of rotation.
        await WaitUntilAsync(async () => (await ReadinessAsync(http, proxy.BaseAddress)) == HttpStatusCode.ServiceUnavailable);
        Assert.True(DateTime.UtcNow - signalled < s_drainDelay, "Readiness should fail well within the drain delay.");
        await Task.Delay(s_drainDelay / 2, Cancellation);
        await load.StopAsync();
        Assert.True(load.Served > servedBefore, "Requests sent during the drain should be served.");
        Assert.True(load.ClosedConnections > 0, "Responses during the drain should ask for their connection to close.");

        // The GET stream ends once the drain delay is over, telling its client when to reconnect.
        var tail = await stream.ReadToEndAsync(Cancellation);
        Assert.Contains("retry: 1000", tail, StringComparison.Ordinal);

        // The request in flight when the listener closed finishes.
        using (var finished = await slow)
        {
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        }

        Assert.Equal(0, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(15), Cancellation));
        Assert.True(load.Failures.IsEmpty, string.Join("\n", load.Failures.Take(5)));
        Assert.Contains("draining for", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollingRestartOfEveryProxy_UnderLoad_FailsNoRequest_AndTheMcpSessionGoesOnAcrossReplicas()
    {
        var balancer = new Balancer([await StartProxyAsync(), await StartProxyAsync()]);
        using var http = new HttpClient();
        var session = await InitializeAsync(http, balancer.Ready[0].BaseAddress);
        var toolCalls = 0;
        await using var load = Load.Start(balancer, concurrency: 4, async Task<bool?> (client, proxy, token) =>
        {
            // Every fourth request is a call on the one MCP session, to whichever replica is next.
            if (Interlocked.Increment(ref toolCalls) % 4 != 0)
            {
                return null;
            }

            var (status, reply) = await McpTestClient.PostAsync(client, new Uri(proxy, "/acme/mcp"), session, McpTestClient.Request("tools/call", new JsonObject
            {
                ["name"] = "utils_echo",
                ["arguments"] = new JsonObject { ["message"] = "rolling" },
            }), token);
            Assert.True(status == HttpStatusCode.OK, $"{proxy}: {(int)status}");
            Assert.True(reply?["result"]?["content"]?[0]?["text"]?.GetValue<string>().Contains("rolling", StringComparison.Ordinal) == true, $"{proxy}: {reply}");
            return true;
        });

        foreach (var old in balancer.Ready.ToList())
        {
            var replacement = await StartProxyAsync();
            balancer.Add(replacement);
            await old.TerminateAsync(Cancellation);
            Assert.Equal(0, await old.WaitForExitAsync(TimeSpan.FromSeconds(20), Cancellation));
            balancer.Remove(old);
        }

        await Task.Delay(500, Cancellation);
        await load.StopAsync();
        Assert.True(load.Failures.IsEmpty, string.Join("\n", load.Failures.Take(5)));
        Assert.True(load.Served > 50, $"Only {load.Served} requests were served.");
        Assert.True(load.McpCalls > 5, $"Only {load.McpCalls} tool calls went through the session.");
    }

    [Theory]
    [InlineData("DrainDelay", "-00:00:01")]
    [InlineData("Timeout", "02:00:00")]
    public async Task AShutdownSettingOutOfRange_IsRefusedAtStart_WithItsName(string key, string value)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Gateway:ConfigFile"] = ConfigFile,
            [$"Shutdown:{key}"] = value,
        }, Cancellation));
        Assert.Contains($"Shutdown:{key} must be a duration from zero to", refused.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        await _echo.DisposeAsync();
        await _samples.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ServiceProcess> StartProxyAsync()
    {
        var proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Gateway:ConfigFile"] = ConfigFile,
            ["Shutdown:DrainDelay"] = s_drainDelay.ToString(),
            ["Shutdown:Timeout"] = "00:00:10",
        }, Cancellation);
        _proxies.Add(proxy);
        await proxy.WaitUntilReadyAsync(Cancellation);
        return proxy;
    }

    private static async Task<HttpStatusCode> ReadinessAsync(HttpClient http, Uri proxy)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(proxy, "/readyz"), Cancellation);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(50, Cancellation);
        }
    }

    private static Task<string> InitializeAsync(HttpClient http, Uri proxy) => McpTestClient.OpenSessionAsync(http, new Uri(proxy, "/acme/mcp"), Cancellation);

    private static async Task<StreamReader> OpenStreamAsync(HttpClient http, Uri proxy, string session)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy, "/acme/mcp"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("Mcp-Session-Id", session);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation));
    }

    /// <summary>
    /// What an orchestrator's endpoints and a load balancer do: requests go round-robin to the proxies whose
    /// <c>/readyz</c> passed at the last probe (every 100 ms).
    /// </summary>
    private sealed class Balancer(IEnumerable<ServiceProcess> proxies)
    {
        private readonly List<ServiceProcess> _members = [.. proxies];
        private volatile ServiceProcess[] _ready = [.. proxies];
        private int _next;

        public IReadOnlyList<ServiceProcess> Ready => _ready;

        public void Add(ServiceProcess proxy)
        {
            lock (_members)
            {
                _members.Add(proxy);
            }
        }

        public void Remove(ServiceProcess proxy)
        {
            lock (_members)
            {
                _members.Remove(proxy);
            }
        }

        public Uri Next()
        {
            var ready = _ready;
            return ready[(int)((uint)Interlocked.Increment(ref _next) % ready.Length)].BaseAddress;
        }

        public async Task ProbeAsync(HttpClient http, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ServiceProcess[] members;
                lock (_members)
                {
                    members = [.. _members];
                }

                var ready = new List<ServiceProcess>();
                foreach (var member in members)
                {
                    if (await ReadinessAsync(http, member.BaseAddress) == HttpStatusCode.OK)
                    {
                        ready.Add(member);
                    }
                }

                if (ready.Count > 0)
                {
                    _ready = [.. ready];
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Clients sending requests through the balancer without pause; every failure is kept.</summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private readonly HttpClient _probes = new() { Timeout = TimeSpan.FromSeconds(1) };
        private readonly List<Task> _workers = [];
        private int _served;
        private int _mcpCalls;
        private int _closed;

        public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();

        public int Served => Volatile.Read(ref _served);

        public int McpCalls => Volatile.Read(ref _mcpCalls);

        public int ClosedConnections => Volatile.Read(ref _closed);

        /// <param name="mcp">Sends an MCP request instead of an HTTP one (throwing when it fails); null when it is not its turn.</param>
        public static Load Start(Balancer balancer, int concurrency, Func<HttpClient, Uri, CancellationToken, Task<bool?>>? mcp = null)
        {
            var load = new Load();
            load._workers.Add(balancer.ProbeAsync(load._probes, load._stop.Token));
            for (var worker = 0; worker < concurrency; worker++)
            {
                load._workers.Add(load.RunAsync(balancer, mcp));
            }

            return load;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers.Select(worker => worker.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
            _http.Dispose();
            _probes.Dispose();
        }

        private async Task RunAsync(Balancer balancer, Func<HttpClient, Uri, CancellationToken, Task<bool?>>? mcp)
        {
            while (!_stop.IsCancellationRequested)
            {
                var proxy = balancer.Next();
                try
                {
                    if (mcp is not null && await mcp(_http, proxy, CancellationToken.None) is not null)
                    {
                        Interlocked.Increment(ref _mcpCalls);
                        continue;
                    }

                    using var response = await _http.GetAsync(new Uri(proxy, "/acme/web/load"), CancellationToken.None);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Failures.Enqueue($"{proxy}: {(int)response.StatusCode}");
                    }
                    else
                    {
                        Interlocked.Increment(ref _served);
                        if (response.Headers.ConnectionClose == true)
                        {
                            Interlocked.Increment(ref _closed);
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or Xunit.Sdk.XunitException)
                {
                    Failures.Enqueue($"{proxy}: {exception.Message}");
                }
            }
        }
    }
}
