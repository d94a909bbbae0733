using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Config.Xds;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>What a proxy makes of each xDS response: a delta of a few routes among many rebuilds those routes alone.</summary>
public sealed class XdsConfigStateTests
{
    [Fact]
    public void ADeltaOfOneRoute_RebuildsThatRouteAlone_WhileASharedChangeRebuildsEvery()
    {
        var state = new XdsConfigState();
        var routes = Enumerable.Range(0, 50).Select(index => Http("t" + (index % 5), "r" + index, "/t" + (index % 5) + "/r" + index)).ToList();
        var first = Apply(state, Response(ResourceTypes.Route, "1", routes));
        Assert.Equal(50, first.Routes.Count);

        // One route changes, one goes, one comes: the 48 others keep what the proxy made of them.
        var changed = Http("t0", "r0", "/t0/r0-moved");
        var added = Http("t9", "new", "/t9/new");
        var second = Apply(state, Response(ResourceTypes.Route, "2", [changed, added], removed: ["t1/r1"]));
        Assert.Equal(50, second.Routes.Count);
        Assert.DoesNotContain(second.Routes, route => GatewaySnapshot.NameOf(route) == "t1/r1");
        foreach (var route in routes.Where(route => route.Name is not ("r0" or "r1")))
        {
            var kept = second.Routes.Single(candidate => GatewaySnapshot.NameOf(candidate) == GatewaySnapshot.NameOf(route));
            Assert.Same(first.RuntimeOf(first.Routes.Single(candidate => GatewaySnapshot.NameOf(candidate) == GatewaySnapshot.NameOf(route))), second.RuntimeOf(kept));
        }

        var moved = second.Routes.Single(route => GatewaySnapshot.NameOf(route) == "t0/r0");
        Assert.Equal("/t0/r0-moved", moved.Match.PathPrefix);
        Assert.Equal("r0", Match(second, "/t0/r0-moved/x"));

        // A newcomer (later in name order) whose match an unchanged route holds is refused; the holder keeps it.
        var clash = Http("t2", "z-clash", "/t2/r2");
        var third = Apply(state, Response(ResourceTypes.Route, "3", [clash]));
        Assert.Contains(state.Rejected.Keys, name => name == "t2/z-clash");
        Assert.Equal("r2", Match(third, "/t2/r2/x"));

        // The shared types (here the egress policy) change what every route is checked against: all are rebuilt.
        var fourth = Apply(state, Response(ResourceTypes.EgressPolicy, "4", [new EgressPolicy { BlockPrivateNetworks = true }], name: ResourceTypes.EgressPolicyName));
        Assert.All(fourth.Routes, route => Assert.NotSame(third.RuntimeOf(third.Routes.Single(candidate => GatewaySnapshot.NameOf(candidate) == GatewaySnapshot.NameOf(route))), fourth.RuntimeOf(route)));
    }

    private static string? Match(GatewaySnapshot snapshot, string path)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString("gateway.local");
        context.Request.Method = "GET";
        return snapshot.Table.Match(context.Request)?.Route.Name;
    }

    private static GatewaySnapshot Apply(XdsConfigState state, DeltaDiscoveryResponse response)
    {
        var (error, snapshot) = state.Apply(response);
        Assert.Null(error);
        return Assert.IsType<GatewaySnapshot>(snapshot);
    }

    private static DeltaDiscoveryResponse Response<T>(string typeUrl, string version, IEnumerable<T> resources, IEnumerable<string>? removed = null, string? name = null)
        where T : Google.Protobuf.IMessage
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = typeUrl, SystemVersionInfo = version, Nonce = version };
        foreach (var resource in resources)
        {
            var resourceName = name ?? (resource is Route route ? GatewaySnapshot.NameOf(route) : throw new ArgumentException("A name is needed."));
            response.Resources.Add(new Resource { Name = resourceName, Version = version + resourceName, Resource_ = Any.Pack(resource) });
        }

        response.RemovedResources.Add(removed ?? []);
        return response;
    }

    private static Route Http(string tenant, string name, string prefix) => new()
    {
        Tenant = tenant,
        Name = name,
        Match = new RouteMatch { PathPrefix = prefix },
        Http = new HttpBackend { Destinations = { new HttpDestination { Name = "d", Url = "http://127.0.0.1:1" } } },
    };
}
