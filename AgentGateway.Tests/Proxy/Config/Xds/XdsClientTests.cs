using System.Net;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>The proxy's xDS client against a scripted control plane: ACK, NACK keeping the last good config, removal, reconnect.</summary>
public sealed class XdsClientTests : IAsyncLifetime
{
    private readonly SampleServerFixture _samples = new();
    private XdsTestControlPlane? _controlPlane;
    private ServiceProcess? _proxy;
    private readonly Uri _management = new($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _samples.InitializeAsync();
        _controlPlane = await XdsTestControlPlane.StartAsync();
        _proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Xds:Address"] = _controlPlane.Address.ToString(),
            ["Xds:ClientId"] = string.Empty,
            ["Xds:InitialBackoff"] = "00:00:00.200",
            ["Xds:MaxBackoff"] = "00:00:01",
            ["Management:Url"] = _management.ToString().TrimEnd('/'),
        }, Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_controlPlane is not null)
        {
            await _controlPlane.DisposeAsync();
        }

        await _samples.DisposeAsync();
    }

    [Fact]
    public async Task Proxy_AcksGoodConfig_RefusesABadRouteAlone_ReconnectsWithHeldVersions_AndAppliesRemovals()
    {
        var controlPlane = _controlPlane!;
        // One stream, one subscription per type: session keys first, the egress policy, host grants, then routes.
        var keysSubscription = await NextRequestAsync();
        Assert.Equal(ResourceTypes.SessionKey, keysSubscription.TypeUrl);
        Assert.NotNull(keysSubscription.Node);
        Assert.Equal(ResourceTypes.EgressPolicy, (await NextRequestAsync()).TypeUrl);
        Assert.Equal(ResourceTypes.HostGrant, (await NextRequestAsync()).TypeUrl);
        var subscribe = await NextRequestAsync();
        Assert.Equal(ResourceTypes.Route, subscribe.TypeUrl);
        Assert.Empty(subscribe.InitialResourceVersions);
        using var http = new HttpClient { BaseAddress = _proxy!.BaseAddress };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Cancellation)).StatusCode);

        // Session keys alone are ACKed but do not make a config: the proxy stays unready until routes arrive.
        var keys = new DeltaDiscoveryResponse { TypeUrl = ResourceTypes.SessionKey, SystemVersionInfo = "0", Nonce = "n0" };
        keys.Resources.Add(new Resource
        {
            Name = "k1",
            Version = "k1",
            Resource_ = Any.Pack(new SessionKey { Id = "k1", Key = ByteString.CopyFrom(new byte[32]), Primary = true }),
        });
        await controlPlane.SendAsync(keys);
        var keysAck = await NextRequestAsync();
        Assert.Equal("n0", keysAck.ResponseNonce);
        Assert.Null(keysAck.ErrorDetail);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Cancellation)).StatusCode);

        // A valid route: applied and ACKed, and the proxy is ready and serves it.
        await controlPlane.SendAsync(Response("1", "n1", Resource("demo/mcp", "v1", Route("/demo/mcp", _samples.UtilsEndpoint.AbsoluteUri))));
        var ack = await NextRequestAsync();
        Assert.Equal("n1", ack.ResponseNonce);
        Assert.Null(ack.ErrorDetail);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Cancellation)).StatusCode);
        await AssertServesEchoAsync("/demo/mcp");

        // An invalid route (relative target URL) and a route of another tenant's namespace arrive with a good one: those
        // two are refused alone, named with their reasons, and the good one applies.
        await controlPlane.SendAsync(Response("2", "n2",
            Resource("demo/bad", "v2", Route("/demo/bad", "not-a-url")),
            Resource("demo/steal", "v2", Route("/victim/mcp", _samples.UtilsEndpoint.AbsoluteUri, name: "steal")),
            Resource("demo/more", "v2", Route("/demo/more", _samples.UtilsEndpoint.AbsoluteUri))));
        var partial = await NextRequestAsync();
        Assert.Equal("n2", partial.ResponseNonce);
        var rejected = partial.ErrorDetail.Details.Single().Unpack<RejectedResources>().Resources.ToDictionary(resource => resource.Name);
        Assert.Equal(["demo/bad", "demo/steal"], rejected.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("streamableHttp.url", rejected["demo/bad"].Errors.Single(), StringComparison.Ordinal);
        Assert.Contains("match.path: must be '/demo' or lie below '/demo/'", rejected["demo/steal"].Errors.Single(), StringComparison.Ordinal);
        Assert.Equal("v2", rejected["demo/steal"].Version);
        Assert.False(rejected["demo/steal"].PreviousServed);
        await AssertServesEchoAsync("/demo/mcp");
        await AssertServesEchoAsync("/demo/more");
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/demo/bad", UriKind.Relative), null, Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/victim/mcp", UriKind.Relative), null, Cancellation)).StatusCode);

        // The metrics say so: the revision applied, an update applied in part, the two routes refused.
        var scrape = await http.GetStringAsync(new Uri(_management, "/metrics"), Cancellation);
        Assert.Equal(2, PrometheusText.Value(scrape, "agentgateway_xds_revision"));
        Assert.Equal(2, PrometheusText.Value(scrape, "agentgateway_xds_rejected_routes"));
        Assert.Equal(1, PrometheusText.Value(scrape, "agentgateway_config_updates_total", "source=\"xds\"", "result=\"partial\""));
        Assert.Equal(1, PrometheusText.Value(scrape, "agentgateway_xds_connected"));

        // A bad new version of a served route: the previous version keeps serving, and the reply says so. Every reply
        // lists every route refused, so the latest one is the whole picture.
        await controlPlane.SendAsync(Response("3", "n3", Resource("demo/mcp", "v3", Route("/demo/mcp", "not-a-url"))));
        var kept = (await NextRequestAsync()).ErrorDetail.Details.Single().Unpack<RejectedResources>().Resources.ToDictionary(resource => resource.Name);
        Assert.Equal(["demo/bad", "demo/mcp", "demo/steal"], kept.Keys.Order(StringComparer.Ordinal));
        Assert.True(kept["demo/mcp"].PreviousServed);
        await AssertServesEchoAsync("/demo/mcp");

        // The control plane goes away: the proxy keeps serving, and when a control plane is back it says what it
        // serves (not the versions it refused).
        var port = controlPlane.Port;
        await controlPlane.DisposeAsync();
        await AssertServesEchoAsync("/demo/mcp");
        _controlPlane = controlPlane = await XdsTestControlPlane.StartAsync(port);
        var keysResubscribe = await NextRequestAsync();
        Assert.Equal(ResourceTypes.EgressPolicy, (await NextRequestAsync()).TypeUrl);
        Assert.Equal(ResourceTypes.HostGrant, (await NextRequestAsync()).TypeUrl);
        Assert.Equal("k1", keysResubscribe.InitialResourceVersions["k1"]);
        var resubscribe = await NextRequestAsync();
        Assert.Equal("v1", resubscribe.InitialResourceVersions["demo/mcp"]);
        Assert.Equal("v2", resubscribe.InitialResourceVersions["demo/more"]);
        Assert.False(resubscribe.InitialResourceVersions.ContainsKey("demo/bad"));
        Assert.False(resubscribe.InitialResourceVersions.ContainsKey("demo/steal"));
        await AssertServesEchoAsync("/demo/mcp");

        // A grant of a host to the tenant lets a route of it take another path, on that host only.
        var grant = new DeltaDiscoveryResponse { TypeUrl = ResourceTypes.HostGrant, SystemVersionInfo = "4", Nonce = "n4" };
        grant.Resources.Add(new Resource { Name = "demo.example.test", Version = "g1", Resource_ = Any.Pack(new HostGrant { Host = "demo.example.test", Tenant = "demo" }) });
        await controlPlane.SendAsync(grant);
        Assert.Null((await NextRequestAsync()).ErrorDetail);
        var hosted = Route("/mcp", _samples.UtilsEndpoint.AbsoluteUri, name: "hosted");
        hosted.Match.Hosts.Add("demo.example.test");
        await controlPlane.SendAsync(Response("5", "n5", Resource("demo/hosted", "v5", hosted)));
        Assert.Null((await NextRequestAsync()).ErrorDetail);
        using (var onHost = new HttpRequestMessage(HttpMethod.Post, "/mcp"))
        {
            onHost.Headers.Host = "demo.example.test";
            onHost.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            Assert.NotEqual(HttpStatusCode.NotFound, (await http.SendAsync(onHost, Cancellation)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/mcp", UriKind.Relative), null, Cancellation)).StatusCode);

        // A removal takes the route away.
        var removal = Response("6", "n6");
        removal.RemovedResources.Add("demo/mcp");
        await controlPlane.SendAsync(removal);
        Assert.Null((await NextRequestAsync()).ErrorDetail);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/demo/mcp", UriKind.Relative), null, Cancellation)).StatusCode);
    }

    private async Task AssertServesEchoAsync(string path)
    {
        await using var client = await SampleServerFixture.ConnectAsync(new Uri(_proxy!.BaseAddress, path), Cancellation);
        Assert.Contains("echo", (await client.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name));
    }

    private async Task<DeltaDiscoveryRequest> NextRequestAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            return await _controlPlane!.Requests.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"The proxy sent no xDS request within 15 s. Its output:\n{_proxy!.Output}");
        }
    }

    private static DeltaDiscoveryResponse Response(string version, string nonce, params Resource[] resources)
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = ResourceTypes.Route, SystemVersionInfo = version, Nonce = nonce };
        response.Resources.Add(resources);
        return response;
    }

    private static Resource Resource(string name, string version, Route route) =>
        new() { Name = name, Version = version, Resource_ = Any.Pack(route) };

    private static Route Route(string path, string url, string? name = null)
    {
        name ??= path.Split('/')[^1];
        var route = new Route { Tenant = "demo", Name = name, Match = new RouteMatch { Path = path }, Mcp = new McpBackend() };
        route.Mcp.Targets.Add(new McpTarget { Name = "utils", StreamableHttp = new StreamableHttpTransport { Url = url } });
        return route;
    }
}
