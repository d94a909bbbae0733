using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Config.File;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Microsoft.AspNetCore.Http;

namespace AgentGateway.Tests.Proxy.Pipeline.Routing;

/// <summary>Edge cases of route matching, on the route table itself.</summary>
public sealed class RouteTableTests
{
    private static Route Http(string name, RouteMatch match) => new()
    {
        Tenant = "acme",
        Name = name,
        Match = match,
        Http = new HttpBackend { Destinations = { new HttpDestination { Name = "d", Url = "http://127.0.0.1:1" } } },
    };

    /// <summary>
    /// A table whose tenant holds the hosts the tests call, so that its routes may take any path there (see
    /// <c>TenantNamespaceFuzzTests</c> for the namespace itself).
    /// </summary>
    private static RouteTable Table(IEnumerable<Route> routes) =>
        RouteTable.Create(routes, HostGrantSet.Create(new[] { "*.local", "example.com", "*.example.com", "badexample.com" }.Select(host => new HostGrant { Host = host, Tenant = "acme" })));

    private static string? Match(RouteTable table, string path, string host = "gateway.local", string method = "GET", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        var query = path.IndexOf('?', StringComparison.Ordinal);
        request.Path = query < 0 ? path : path[..query];
        request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
        request.Host = new HostString(host);
        request.Method = method;
        foreach (var (name, value) in headers)
        {
            request.Headers.Append(name, value);
        }

        return table.Match(request) is { } result ? $"{result.Route.Name}|{result.MatchedPrefix}" : null;
    }

    [Fact]
    public void Prefixes_MatchOnSegmentBoundaries_LongestFirst_AndReportTheMatchedPrefix()
    {
        var table = Table([
            Http("api", new RouteMatch { PathPrefix = "/api" }),
            Http("api-v2", new RouteMatch { PathPrefix = "/api/v2/" }),
            Http("root", new RouteMatch { PathPrefix = "/" }),
        ]);
        Assert.Equal("api|/api", Match(table, "/api"));
        Assert.Equal("api|/api", Match(table, "/api/"));
        Assert.Equal("api|/api", Match(table, "/api/v1/x"));
        Assert.Equal("api-v2|/api/v2", Match(table, "/api/v2"));
        Assert.Equal("api-v2|/api/v2", Match(table, "/api/v2/items"));
        Assert.Equal("root|", Match(table, "/apix"));
        Assert.Equal("root|", Match(table, "/"));
    }

    [Fact]
    public void Regex_MustMatchTheWholePath()
    {
        var table = Table([Http("items", new RouteMatch { PathRegex = "/items/[0-9]+" })]);
        Assert.Equal("items|", Match(table, "/items/42"));
        Assert.Null(Match(table, "/items/42/extra"));
        Assert.Null(Match(table, "/x/items/42"));
    }

    [Fact]
    public void Hosts_AreCaseInsensitive_AndAWildcardNeverTakesTheBareDomain()
    {
        var table = Table([Http("wild", new RouteMatch { PathPrefix = "/", Hosts = { "*.example.com" } })]);
        Assert.NotNull(Match(table, "/", host: "API.Example.COM"));
        Assert.Null(Match(table, "/", host: "example.com"));
        Assert.Null(Match(table, "/", host: "badexample.com"));
    }

    [Fact]
    public void AmongPrefixRoutes_HostsBeatMethods_BeatConditionCount()
    {
        var table = Table([
            Http("conditions", new RouteMatch { PathPrefix = "/x", Headers = { new HeaderMatch { Name = "a" }, new HeaderMatch { Name = "b" } } }),
            Http("method", new RouteMatch { PathPrefix = "/x", Methods = { "GET" } }),
            Http("host", new RouteMatch { PathPrefix = "/x", Hosts = { "gateway.local" } }),
        ]);
        Assert.Equal("host|/x", Match(table, "/x", headers: [("a", "1"), ("b", "1")]));
        Assert.Equal("method|/x", Match(table, "/x", host: "other.local", headers: [("a", "1"), ("b", "1")]));
        Assert.Equal("conditions|/x", Match(table, "/x", host: "other.local", method: "POST", headers: [("a", "1"), ("b", "1")]));
        Assert.Null(Match(table, "/x", host: "other.local", method: "POST", headers: [("a", "1")]));
    }

    [Fact]
    public void InvertedConditions_TakeRequestsWithoutTheHeaderOrParameter()
    {
        var table = Table([
            Http("not-beta", new RouteMatch { PathPrefix = "/", Query = { new QueryParameterMatch { Name = "beta", Invert = true } } }),
        ]);
        Assert.NotNull(Match(table, "/x"));
        Assert.NotNull(Match(table, "/x?other=1"));
        Assert.Null(Match(table, "/x?beta=1"));
    }

    [Fact]
    public void TheExampleConfig_Parses_AndValidates()
    {
        var text = File.ReadAllText(Path.Combine(Fixtures.ServiceProcess.RepositoryRoot, "AgentGateway.Proxy", "gateway.example.yaml"));
        var content = GatewayFileParser.Parse(text);
        var result = GatewaySnapshot.Create("example", content.Routes, content.SessionKeys, content.Egress, content.HostGrants);
        Assert.True(result.Snapshot is not null, string.Join("; ", result.Errors));
        Assert.True(result.Rejected.Count == 0 && content.Rejected.Count == 0, result.ErrorMessage + string.Join("; ", content.Rejected));
        Assert.Contains(content.Routes, route => route.BackendCase == Route.BackendOneofCase.Http && route.Policies?.Retry is not null && route.Policies.Cors is not null);
    }
}
