using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Microsoft.AspNetCore.Http;

namespace AgentGateway.Tests.Proxy.Pipeline.Routing;

/// <summary>
/// Generated hostile routes of one tenant against the requests of another: whatever the attacker's routes say
/// (regexes with inline options, comments, look-arounds, classes, escapes and alternation; hosts, wildcards, methods,
/// headers; paths that name the victim's), no request under <c>/victim/</c> on a host that is not the attacker's own
/// reaches an attacker route — not when validation refuses the routes, and not when the route table is given them
/// unvalidated.
/// </summary>
public sealed class TenantNamespaceFuzzTests
{
    private const string Victim = "victim";
    private const string Attacker = "attacker";

    private static readonly string[] s_regexParts =
    [
        "^/attacker/", "^/victim/", "^/", "/victim/.*", ".*", "(?i)", "(?i:/VICTIM/.*)", "(?#comment|)", "(?x) # |\n", "(?x)", "|", "|^/victim/.*",
        "(?=/victim)", "(?<=/)", "(?!/attacker)", "[|]", "[^]|]", "\\|", "(?:", ")", "(?s)", "\\/victim", "[/]victim", "/v(?:ictim)", "/\\x76ictim",
        "/\\u0076ictim", "/\\166ictim", "(?<name>/victim)", "\\k<name>", "(?(1)x|/victim)", "\\Q/victim\\E", "\\p{L}+", "/[v]ictim/", "(/victim)?",
        "x*", "(?m)$|^", "\n", "\\b", "(?>/victim)", "#", "(?-i)", "[\\]|]", "(?'a'/victim)", "\\G",
    ];

    private static readonly string[] s_paths =
    [
        "/victim", "/victim/mcp", "/victim/api", "/victim/x", "/Victim/mcp", "/attacker/../victim/mcp", "/attacker", "/attacker/x", "/", "/vic", "/victims",
        "/attacker/victim", "/victim/models", "/attacker/%2e%2e/victim",
    ];

    private static readonly string[] s_hostSets = ["", "gateway.local", "*.local", "victim.example.com", "*.example.com", "127.0.0.1", "localhost", "*.com"];

    private static readonly string[] s_requestPaths =
    [
        "/victim", "/victim/", "/victim/mcp", "/victim/mcp/sse", "/victim/mcp/message", "/victim/api", "/victim/api/deep/x", "/victim/agent",
        "/victim/agent/.well-known/agent-card.json", "/victim/models/v1/chat/completions", "/victim/x|y", "/victim/VICTIM", "/victim/attacker/x",
    ];

    private static readonly string[] s_requestHosts = ["gateway.local", "GATEWAY.LOCAL", "localhost", "127.0.0.1", "victim.example.com", "a.example.com", "x.local", ""];

    [Fact]
    public void HostileRoutesOfOneTenant_NeverTakeAnotherTenantsRequests()
    {
        var random = new Random(20261206);
        var attackerRoutes = 0;
        var accepted = 0;
        for (var round = 0; round < 200; round++)
        {
            var routes = new List<Route>(VictimRoutes());
            for (var index = 0; index < 8; index++)
            {
                routes.Add(AttackerRoute(random, $"r{round}-{index}"));
                attackerRoutes++;
            }

            // Sometimes the victim holds a granted host of its own; the attacker never holds one of the victim's.
            var grants = random.Next(3) == 0
                ? new List<HostGrant> { new() { Host = "victim.example.com", Tenant = Victim }, new() { Host = "attacker.example.com", Tenant = Attacker } }
                : [];

            // Unvalidated (but for regexes that do not compile at all): the table alone keeps the tenants apart.
            AssertNoCrossing(RouteTable.Create(routes.Where(Compiles), HostGrantSet.Create(grants)), random, round);

            // Validated: what the snapshot accepts of the attacker's routes is harmless too.
            var result = GatewaySnapshot.Create($"v{round}", routes, hostGrants: grants);
            Assert.NotNull(result.Snapshot);
            Assert.All(VictimRoutes(), victim => Assert.Contains(result.Snapshot.Routes, route => route.Name == victim.Name && route.Tenant == Victim));
            accepted += result.Snapshot.Routes.Count(route => route.Tenant == Attacker);
            AssertNoCrossing(result.Snapshot.Table, random, round);
        }

        // The generator makes both kinds: routes validation refuses, and routes it lets through (inside the attacker's namespace).
        Assert.InRange(accepted, 1, attackerRoutes - 1);
    }

    [Theory]
    [InlineData("^/attacker/x|^/victim/.*")]
    [InlineData("^/attacker/(?x) # |\n|/victim/.*")]
    [InlineData("^/attacker/x(?#)|/victim/.*")]
    [InlineData("(?i)^/ATTACKER/.*|/victim/.*")]
    [InlineData("^/attacker/[|]|/victim/.*")]
    [InlineData("^/attacker/(?=)|(?<=^)/victim/.*")]
    public void RegexThatReadsAsEscapingTheNamespace_IsRefused_AndCouldNotEscapeAnyway(string pattern)
    {
        var route = Http(Attacker, "escape", new RouteMatch { PathRegex = pattern });
        var result = GatewaySnapshot.Create("v", [route]);
        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("match.pathRegex", rejected.Message, StringComparison.Ordinal);

        var table = RouteTable.Create([route, .. VictimRoutes()]);
        Assert.Equal(Victim, Match(table, "/victim/api/x", "gateway.local", "GET", [])?.Tenant);
    }

    [Fact]
    public void GrantedHost_BelongsToItsTenantWhole_AndOnlyThere()
    {
        var grants = HostGrantSet.Create([new HostGrant { Host = "*.acme.example", Tenant = "acme" }]);
        var acmeRoot = Http("acme", "root", new RouteMatch { PathPrefix = "/", Hosts = { "api.acme.example" } });
        var acmeAnyHost = Http("acme", "any-host", new RouteMatch { PathPrefix = "/docs" });
        var table = RouteTable.Create([acmeRoot, acmeAnyHost, .. VictimRoutes()], grants);

        // On its granted host the tenant takes every path, the victim's included; another tenant's routes take nothing there.
        Assert.Equal("root", Match(table, "/victim/api", "api.acme.example", "GET", [])?.Name);
        Assert.Null(Match(table, "/victim/api", "other.acme.example", "GET", []));
        Assert.Equal("any-host", Match(table, "/docs/x", "other.acme.example", "GET", [])?.Name);

        // Elsewhere its routes outside /acme take nothing, and the victim's requests reach the victim.
        Assert.Null(Match(table, "/docs/x", "gateway.local", "GET", []));
        Assert.Equal(Victim, Match(table, "/victim/api", "gateway.local", "GET", [])?.Tenant);

        // Validation agrees: outside /acme only with granted hosts, or with none while the tenant holds a grant.
        Assert.Empty(Errors(acmeRoot, grants));
        Assert.Empty(Errors(acmeAnyHost, grants));
        Assert.Contains("match.pathPrefix", Errors(acmeRoot, HostGrantSet.Empty), StringComparison.Ordinal);
        Assert.Contains("match.pathPrefix", Errors(Http("acme", "mixed", new RouteMatch { PathPrefix = "/", Hosts = { "api.acme.example", "gateway.local" } }), grants), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/acme/../victim")]
    [InlineData("/acme/./x")]
    [InlineData("/acme/%2e%2e/victim")]
    [InlineData("/acme\\..\\victim")]
    [InlineData("/acme/x\u0000")]
    [InlineData("/Acme/x")]
    [InlineData("/acmex")]
    public void PathsThatOnlyLookLikeTheTenants_AreRefused(string path)
    {
        Assert.NotEmpty(Errors(Http("acme", "tricky", new RouteMatch { PathPrefix = path }), HostGrantSet.Empty));
    }

    private static bool Compiles(Route route)
    {
        try
        {
            _ = RouteValidator.WholeInput(route.Match.PathRegex);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Errors(Route route, HostGrantSet grants)
    {
        var errors = new List<AgentGateway.Contracts.ConfigError>();
        RouteResourceValidator.Validate(route, grants, errors);
        return string.Join("; ", errors);
    }

    private static void AssertNoCrossing(RouteTable table, Random random, int round)
    {
        for (var index = 0; index < 40; index++)
        {
            var path = s_requestPaths[random.Next(s_requestPaths.Length)];
            var host = s_requestHosts[random.Next(s_requestHosts.Length)];
            var method = random.Next(2) == 0 ? "GET" : "POST";
            (string, string)[] headers = random.Next(2) == 0 ? [("x-attack", "1")] : [];
            var matched = Match(table, path, host, method, headers);
            Assert.False(matched?.Tenant == Attacker, $"round {round}: {method} {host}{path} reached the attacker's route '{matched?.Name}' ({matched?.Match})");
        }
    }

    private static Route? Match(RouteTable table, string path, string host, string method, (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Host = new HostString(host);
        context.Request.Method = method;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        return table.Match(context.Request)?.Route;
    }

    private static IEnumerable<Route> VictimRoutes() =>
    [
        new Route { Tenant = Victim, Name = "mcp", Match = new RouteMatch { Path = "/victim/mcp" }, Mcp = new McpBackend { Targets = { new McpTarget { Name = "t", StreamableHttp = new StreamableHttpTransport { Url = "http://127.0.0.1:1/mcp" } } } } },
        Http(Victim, "api", new RouteMatch { PathPrefix = "/victim/api" }),
        Http(Victim, "root", new RouteMatch { PathPrefix = "/victim" }),
        new Route { Tenant = Victim, Name = "agent", Match = new RouteMatch { Path = "/victim/agent" }, A2A = new A2aBackend { Url = "http://127.0.0.1:1/" } },
    ];

    private static Route AttackerRoute(Random random, string name)
    {
        var match = new RouteMatch();
        switch (random.Next(3))
        {
            case 0:
                match.Path = s_paths[random.Next(s_paths.Length)];
                break;
            case 1:
                match.PathPrefix = s_paths[random.Next(s_paths.Length)];
                break;
            default:
                var parts = random.Next(1, 6);
                var pattern = string.Concat(Enumerable.Range(0, parts).Select(_ => s_regexParts[random.Next(s_regexParts.Length)]));
                match.PathRegex = random.Next(3) == 0 ? "^/attacker/" + pattern : pattern;
                break;
        }

        var hosts = s_hostSets[random.Next(s_hostSets.Length)];
        if (hosts.Length > 0)
        {
            match.Hosts.Add(hosts);
        }

        if (random.Next(3) == 0)
        {
            match.Methods.Add(random.Next(2) == 0 ? "GET" : "POST");
        }

        if (random.Next(3) == 0)
        {
            match.Headers.Add(new HeaderMatch { Name = "x-attack", Exact = "1" });
        }

        return Http(Attacker, name, match);
    }

    private static Route Http(string tenant, string name, RouteMatch match) => new()
    {
        Tenant = tenant,
        Name = name,
        Match = match,
        Http = new HttpBackend { Destinations = { new HttpDestination { Name = "d", Url = "http://127.0.0.1:1" } } },
    };
}
