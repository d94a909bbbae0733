using System.Net;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Tests.Proxy;

/// <summary>The proxy's xDS client against a scripted control plane: ACK, NACK keeping the last good config, removal, reconnect.</summary>
public sealed class XdsClientTests : IAsyncLifetime
{
    private readonly SampleServerFixture _samples = new();
    private XdsTestControlPlane? _controlPlane;
    private ServiceProcess? _proxy;

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
    public async Task Proxy_AcksGoodConfig_NacksBadConfigKeepingTheLastGood_ReconnectsWithHeldVersions_AndAppliesRemovals()
    {
        var controlPlane = _controlPlane!;
        // One stream, one subscription per type: session keys first, then the egress policy, then routes.
        var keysSubscription = await NextRequestAsync();
        Assert.Equal(ResourceTypes.SessionKey, keysSubscription.TypeUrl);
        Assert.NotNull(keysSubscription.Node);
        Assert.Equal(ResourceTypes.EgressPolicy, (await NextRequestAsync()).TypeUrl);
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
        await AssertServesEchoAsync();

        // An invalid route (relative target URL): NACKed with the reason; the last good config keeps serving.
        await controlPlane.SendAsync(Response("2", "n2", Resource("demo/bad", "v2", Route("/demo/bad", "not-a-url"))));
        var nack = await NextRequestAsync();
        Assert.Equal("n2", nack.ResponseNonce);
        Assert.Contains("streamableHttp.url", nack.ErrorDetail.Message, StringComparison.Ordinal);
        await AssertServesEchoAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/demo/bad", UriKind.Relative), null, Cancellation)).StatusCode);

        // The control plane goes away: the proxy keeps serving, and when a control plane is back it says what it holds.
        var port = controlPlane.Port;
        await controlPlane.DisposeAsync();
        await AssertServesEchoAsync();
        _controlPlane = controlPlane = await XdsTestControlPlane.StartAsync(port);
        var keysResubscribe = await NextRequestAsync();
        Assert.Equal("k1", keysResubscribe.InitialResourceVersions["k1"]);
        Assert.Equal(ResourceTypes.EgressPolicy, (await NextRequestAsync()).TypeUrl);
        var resubscribe = await NextRequestAsync();
        Assert.Equal("v1", resubscribe.InitialResourceVersions["demo/mcp"]);
        Assert.False(resubscribe.InitialResourceVersions.ContainsKey("demo/bad"));
        await AssertServesEchoAsync();

        // A removal takes the route away.
        var removal = Response("3", "n3");
        removal.RemovedResources.Add("demo/mcp");
        await controlPlane.SendAsync(removal);
        Assert.Null((await NextRequestAsync()).ErrorDetail);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/demo/mcp", UriKind.Relative), null, Cancellation)).StatusCode);
    }

    private async Task AssertServesEchoAsync()
    {
        await using var client = await SampleServerFixture.ConnectAsync(new Uri(_proxy!.BaseAddress, "/demo/mcp"), Cancellation);
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

    private static Route Route(string path, string url)
    {
        var name = path.Split('/')[^1];
        var route = new Route { Tenant = "demo", Name = name, Match = new RouteMatch { Path = path }, Mcp = new McpBackend() };
        route.Mcp.Targets.Add(new McpTarget { Name = "utils", StreamableHttp = new StreamableHttpTransport { Url = url } });
        return route;
    }
}
