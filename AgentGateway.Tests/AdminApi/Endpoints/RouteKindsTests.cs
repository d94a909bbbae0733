using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// A loopback upstream (an HTTP echo that also serves an agent card) that the egress allowlist lets tenant URLs
/// reach, once the control plane's own egress policy (which its card fetches go through) holds the rule.
/// </summary>
public sealed class RouteKindsFixture(ControlPlaneFixture controlPlane) : IAsyncLifetime
{
    public LoopbackUpstream Upstream { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Upstream = await LoopbackUpstream.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", cancellationToken);
        var port = Upstream.Address.Port;
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist",
            new { cidr = "127.0.0.1/32", ports = new[] { port }, description = "the route kinds upstream" }, cancellationToken);
        allowed.EnsureSuccessStatusCode();
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, cancellationToken, ResourceTypes.EgressPolicy);
        await xds.WaitForAsync<EgressPolicy>(ResourceTypes.EgressPolicy, ResourceTypes.EgressPolicyName,
            policy => policy.Allow.Any(rule => rule.Ports.Contains((uint)port)), cancellationToken, TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }
    }
}

/// <summary>HTTP and A2A routes, the agent catalog and the traffic policy kinds through the REST API, and what proxies receive of them.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class RouteKindsTests(ControlPlaneFixture controlPlane, RouteKindsFixture fixture) : IClassFixture<RouteKindsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string UpstreamUrl => fixture.Upstream.Address.ToString().TrimEnd('/');

    [Fact]
    public async Task BadRouteMatchesAndDestinations_Are400_NamingTheField()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var destination = new[] { new { name = "main", url = UpstreamUrl } };
        var cases = new (object Body, string Field)[]
        {
            (new { name = "r", kind = "ftp" }, "kind"),
            (new { name = "r", kind = "http", path = $"/{tenant}/a", pathPrefix = $"/{tenant}/b", destinations = destination }, "path"),
            (new { name = "r", kind = "http", pathRegex = $"^/{tenant}/(", destinations = destination }, "pathRegex"),
            (new { name = "r", kind = "http", pathRegex = $"^/{tenant}/a|^/other", destinations = destination }, "pathRegex"),
            (new { name = "r", kind = "http", pathPrefix = "/elsewhere", destinations = destination }, "pathPrefix"),
            (new { name = "r", kind = "http", hosts = new[] { "Bad_Host" }, destinations = destination }, "hosts[0]"),
            (new { name = "r", kind = "http", methods = new[] { "FETCH" }, destinations = destination }, "methods[0]"),
            (new { name = "r", kind = "http", headers = new[] { new { name = "x-flag", regex = "(" } }, destinations = destination }, "headers[0].regex"),
            (new { name = "r", kind = "http", query = new[] { new { name = "", exact = "1" } }, destinations = destination }, "query[0].name"),
            (new { name = "r", kind = "http", destinations = Array.Empty<object>() }, "destinations"),
            (new { name = "r", kind = "http", destinations = new[] { new { name = "main", url = "ftp://files.example.test/" } } }, "destinations[0].url"),
            (new { name = "r", kind = "http", destinations = new[] { new { name = "Bad Name", url = UpstreamUrl } } }, "destinations[0].name"),
            (new { name = "r", kind = "http", destinations = destination, activeHealthCheck = new { intervalMs = 5000 } }, "activeHealthCheck.path"),
            (new { name = "r", kind = "mcp", pathPrefix = $"/{tenant}/mcp", targets = new[] { "x" } }, "path"),
            (new { name = "r", kind = "mcp", targets = new[] { "x" }, destinations = destination }, "destinations"),
            (new { name = "r", kind = "a2a" }, "agent"),
            (new { name = "r", kind = "a2a", agent = "nobody" }, "agent"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", body, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: expected an error on '{field}', got {problem}");
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/routes", Cancellation) ?? []);
    }

    [Fact]
    public async Task HttpDestinations_InRestrictedRanges_AreRefusedAtSave()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "metadata",
            kind = "http",
            destinations = new[] { new { name = "ok", url = UpstreamUrl }, new { name = "imds", url = "http://169.254.169.254/latest" } },
        }, Cancellation), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("restricted address range", errors.GetProperty("destinations[1].url")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("destinations[0].url", out _));
    }

    [Fact]
    public async Task HttpRoute_IsStoredWithItsMatch_ConflictsOnTheSameMatch_AndKeepsWhatAnUpdateLeavesOut()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var routes = $"/api/v1/tenants/{tenant}/routes";
        using var created = await admin.PostAsJsonAsync(routes, new
        {
            name = "api",
            kind = "http",
            pathPrefix = $"/{tenant}/api",
            methods = new[] { "GET", "POST" },
            headers = new[] { new { name = "x-version", exact = "2", invert = true } },
            query = new[] { new { name = "debug" } },
            destinations = new[] { new { name = "blue", url = UpstreamUrl, weight = 3 }, new { name = "green", url = UpstreamUrl + "/v2", weight = 1 } },
            activeHealthCheck = new { path = "/healthz", intervalMs = 2000 },
            passiveHealthCheck = new { consecutiveFailures = 3 },
            preserveHost = true,
        }, Cancellation);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        var route = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("http", route.GetProperty("kind").GetString());
        Assert.Equal($"/{tenant}/api", route.GetProperty("pathPrefix").GetString());
        Assert.Equal(JsonValueKind.Null, route.GetProperty("path").ValueKind);
        Assert.Equal($"http://gateway.test:8080/{tenant}/api", route.GetProperty("endpoint").GetString());
        Assert.Equal(["GET", "POST"], route.GetProperty("methods").EnumerateArray().Select(method => method.GetString()));
        Assert.True(route.GetProperty("headers")[0].GetProperty("invert").GetBoolean());
        Assert.Equal("debug", route.GetProperty("query")[0].GetProperty("name").GetString());
        Assert.Equal(3, route.GetProperty("destinations")[0].GetProperty("weight").GetInt32());
        Assert.Equal("/healthz", route.GetProperty("activeHealthCheck").GetProperty("path").GetString());
        Assert.Equal(3, route.GetProperty("passiveHealthCheck").GetProperty("consecutiveFailures").GetInt32());
        Assert.True(route.GetProperty("preserveHost").GetBoolean());
        Assert.Empty(route.GetProperty("targets").EnumerateArray());

        // The same match again is a conflict; the same prefix with other methods is another match.
        var same = new
        {
            name = "again",
            kind = "http",
            pathPrefix = $"/{tenant}/api",
            methods = new[] { "POST", "GET" },
            headers = new[] { new { name = "x-version", exact = "2", invert = true } },
            query = new[] { new { name = "debug" } },
            destinations = new[] { new { name = "main", url = UpstreamUrl } },
        };
        await AssertProblemAsync(await admin.PostAsJsonAsync(routes, same, Cancellation), HttpStatusCode.Conflict);
        using (var other = await admin.PostAsJsonAsync(routes, same with { methods = new[] { "DELETE" } }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        // An update that gives only destinations keeps the match; a regex path replaces the prefix.
        using (var updated = await admin.PutAsJsonAsync($"{routes}/api", new { destinations = new[] { new { name = "only", url = UpstreamUrl } } }, Cancellation))
        {
            Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync(Cancellation));
            var body = await updated.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal($"/{tenant}/api", body.GetProperty("pathPrefix").GetString());
            Assert.Equal(2, body.GetProperty("methods").GetArrayLength());
            Assert.Equal("only", body.GetProperty("destinations").EnumerateArray().Single().GetProperty("name").GetString());
            Assert.Equal("/healthz", body.GetProperty("activeHealthCheck").GetProperty("path").GetString());
        }

        // A health check turned off is removed; the other stays.
        using (var turnedOff = await admin.PutAsJsonAsync($"{routes}/api", new { activeHealthCheck = new { enabled = false } }, Cancellation))
        {
            Assert.True(turnedOff.IsSuccessStatusCode, await turnedOff.Content.ReadAsStringAsync(Cancellation));
            var body = await turnedOff.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(JsonValueKind.Null, body.GetProperty("activeHealthCheck").ValueKind);
            Assert.Equal(3, body.GetProperty("passiveHealthCheck").GetProperty("consecutiveFailures").GetInt32());
        }

        using (var regex = await admin.PutAsJsonAsync($"{routes}/api", new { pathRegex = $"^/{tenant}/v[0-9]+/items$" }, Cancellation))
        {
            var body = await regex.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(JsonValueKind.Null, body.GetProperty("pathPrefix").ValueKind);
            Assert.Equal($"^/{tenant}/v[0-9]+/items$", body.GetProperty("pathRegex").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("endpoint").ValueKind);
        }

        // Only MCP routes have tools to list.
        await AssertProblemAsync(await admin.GetAsync(new Uri($"{routes}/api/tools", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AHost_BelongsToTheTenantThatUsesItFirst_AndItsRoutesStayUnderTheTenantUntilAPlatformAdminGrantsIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var first = await CreateTenantAsync(admin, null, null);
        var second = await CreateTenantAsync(admin, null, null);
        var domain = NewName("d") + ".example.test";
        object Route(string name, string path, params string[] hosts) =>
            new { name, kind = "http", pathPrefix = path, hosts, destinations = new[] { new { name = "main", url = UpstreamUrl } } };

        // Hosts of its own do not take a tenant's paths out of its namespace.
        var outside = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", Route("api", "/v1", "api." + domain), Cancellation), HttpStatusCode.BadRequest);
        Assert.Contains($"must be '/{first}' or lie below '/{first}/'", outside.GetProperty("errors").GetProperty("pathPrefix")[0].GetString(), StringComparison.Ordinal);
        using (var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", Route("api", $"/{first}/v1", "api." + domain), Cancellation))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        }

        // The first tenant to name a host holds it.
        var taken = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", Route("api", $"/{second}/v2", "api." + domain), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains($"'api.{domain}'", taken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(first, taken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var covered = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", Route("all", $"/{second}/v2", "*." + domain), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains($"'*.{domain}'", covered.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The owner may use its host again, and another tenant a host nobody else holds.
        using (var again = await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", Route("v2", $"/{first}/v2", "api." + domain), Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        using (var elsewhere = await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", Route("api", $"/{second}/v2", "other." + domain), Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        }

        // A platform admin's grant takes the tenant's routes on the host out of its namespace.
        (await admin.PutAsJsonAsync($"/api/v1/hosts/api.{domain}", new { tenant = first, granted = true }, Cancellation)).EnsureSuccessStatusCode();
        using (var granted = await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", Route("root", "/", "api." + domain), Cancellation))
        {
            Assert.True(granted.StatusCode == HttpStatusCode.Created, await granted.Content.ReadAsStringAsync(Cancellation));
        }
    }

    [Fact]
    public async Task Agents_AreRegisteredWithTheirFetchedCard_Refreshed_AndNotDeletedWhileARouteExposesThem()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var agents = $"/api/v1/tenants/{tenant}/agents";
        fixture.Upstream.Card = LoopbackUpstream.AgentCard("Travel planner", "1.0.0", "plan", "book");

        // A card that cannot be read refuses the agent, naming why; a URL in a restricted range is refused before any request.
        var missing = await AssertProblemAsync(await admin.PostAsJsonAsync(agents, new { name = "broken", url = UpstreamUrl, cardUrl = UpstreamUrl + "/no-card-here" }, Cancellation), HttpStatusCode.BadRequest);
        Assert.Contains("not an A2A agent card", missing.GetProperty("errors").GetProperty("cardUrl")[0].GetString(), StringComparison.Ordinal);
        var restricted = await AssertProblemAsync(await admin.PostAsJsonAsync(agents, new { name = "internal", url = "http://10.20.30.40/" }, Cancellation), HttpStatusCode.BadRequest);
        Assert.Contains("restricted address range", restricted.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);

        using var created = await admin.PostAsJsonAsync(agents, new { name = "planner", url = UpstreamUrl, description = "plans trips" }, Cancellation);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        var agent = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var card = agent.GetProperty("card");
        Assert.Equal("Travel planner", card.GetProperty("name").GetString());
        Assert.Equal("1.0.0", card.GetProperty("version").GetString());
        Assert.Equal("0.3.0", card.GetProperty("protocolVersion").GetString());
        Assert.True(card.GetProperty("capabilities").GetProperty("streaming").GetBoolean());
        Assert.False(card.GetProperty("capabilities").GetProperty("pushNotifications").GetBoolean());
        var skill = card.GetProperty("skills")[0];
        Assert.Equal("plan", skill.GetProperty("id").GetString());
        Assert.Equal(["demo", "plan"], skill.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()));
        Assert.Equal("please plan", skill.GetProperty("examples")[0].GetString());

        var listed = await admin.GetFromJsonAsync<JsonElement>(agents, Cancellation);
        Assert.Equal(["plan", "book"], listed.EnumerateArray().Single().GetProperty("card").GetProperty("skills").EnumerateArray().Select(item => item.GetProperty("id").GetString()));

        // A refresh reads the new card; a refresh that fails keeps the last good card and says why.
        fixture.Upstream.Card = LoopbackUpstream.AgentCard("Travel planner", "1.1.0", "plan", "book", "cancel");
        var refreshed = await (await admin.PostAsync($"{agents}/planner/refresh", null, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("1.1.0", refreshed.GetProperty("card").GetProperty("version").GetString());
        Assert.Equal(3, refreshed.GetProperty("card").GetProperty("skills").GetArrayLength());
        fixture.Upstream.Card = null;
        var failed = await (await admin.PostAsync($"{agents}/planner/refresh", null, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Contains("404", failed.GetProperty("cardError").GetString(), StringComparison.Ordinal);
        Assert.Equal("1.1.0", failed.GetProperty("card").GetProperty("version").GetString());
        fixture.Upstream.Card = LoopbackUpstream.AgentCard("Travel planner", "1.1.0", "plan");

        // An A2A route exposes the agent, which then cannot be deleted; backend policies may target the agent.
        using (var route = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "planner", kind = "a2a", agent = "planner" }, Cancellation))
        {
            Assert.True(route.StatusCode == HttpStatusCode.Created, await route.Content.ReadAsStringAsync(Cancellation));
            var body = await route.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal("planner", body.GetProperty("agent").GetString());
            Assert.Equal($"/{tenant}/planner", body.GetProperty("path").GetString());
        }

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "planner-auth", kind = "backend-auth", targetRef = new { kind = "agent", name = "planner" }, spec = new { passthrough = new { } },
        }, Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(["planner"], (await admin.GetFromJsonAsync<JsonElement>($"{agents}/planner", Cancellation)).GetProperty("routes").EnumerateArray().Select(name => name.GetString()));
        var inUse = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{agents}/planner", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'planner'", inUse.GetProperty("detail").GetString(), StringComparison.Ordinal);

        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/policies/planner-auth", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/planner", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"{agents}/planner", UriKind.Relative), Cancellation)).StatusCode);

        // Every change to the agent is in the audit log.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/audit", Cancellation);
        var actions = Entries(audit).Where(entry => entry.GetProperty("entityType").GetString() == "agent").Select(entry => entry.GetProperty("action").GetString()).ToList();
        Assert.Contains("created", actions);
        Assert.Contains("deleted", actions);
    }

    /// <summary>One spec per new kind that is wrong in one field, and the field the 400 names.</summary>
    public static TheoryData<string, string, string> BadSpecs => new()
    {
        { "request-headers", """{"set": "X-Trace: 1"}""", "spec.set" },
        { "response-headers", """{"remove": {"name": "server"}}""", "spec.remove" },
        { "redirect", """{"statusCode": "permanent"}""", "spec.statusCode" },
        { "url-rewrite", """{"regex": {"pattern": ["^/a"]}}""", "spec.regex.pattern" },
        { "direct-response", """{"status": "ok"}""", "spec.status" },
        { "cors", """{"allowOrigins": "*"}""", "spec.allowOrigins" },
        { "timeouts", """{"requestMs": "soon"}""", "spec.requestMs" },
        { "retry", """{"attempts": -1}""", "spec.attempts" },
        { "mirrors", """{"mirrors": [{"url": "http://10.9.8.7/copy"}]}""", "spec.mirrors[0].url" },
        { "mirrors", """{"retry": {"attempts": 2}}""", "spec" },
        { "local-rate-limit", """{"buckets": [{"maxTokens": "many"}]}""", "spec.buckets[0].maxTokens" },
        { "rate-limit", """{"envoy": {"address": "http://10.1.1.1:8081", "domain": "gateway", "descriptors": [{"entries": [{"name": "route", "value": "%route%"}]}]}}""", "spec.envoy.address" },
        { "a2a-authorization", """{"rules": [{"name": "bad", "expression": "a2a.method =="}]}""", "spec.rules[0].expression" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task EachNewPolicyKind_RefusesABadSpec_NamingTheField(string kind, string spec, string field)
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        using var document = JsonDocument.Parse(spec);
        var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "bad", kind, targetRef = new { kind = "tenant" }, spec = document.RootElement,
        }, Cancellation), HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(error => error.Name).ToList();
        Assert.True(fields.Contains(field), $"{kind} {spec}: expected an error on '{field}', got {problem}");
    }

    [Fact]
    public async Task RoutesOfEveryKind_ReachProxies_WithTheirMatch_Backend_AndPoliciesByPrecedence()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        fixture.Upstream.Card = LoopbackUpstream.AgentCard("Helper", "2.0.0", "help");
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/agents", new { name = "helper", url = UpstreamUrl }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/agent-key", new { value = "agent-secret" }, Cancellation)).EnsureSuccessStatusCode();
        var host = NewName("h") + ".example.test";
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api",
            kind = "http",
            pathPrefix = $"/{tenant}/api",
            hosts = new[] { host },
            methods = new[] { "GET" },
            headers = new[] { new { name = "x-canary", exact = "1" } },
            destinations = new[] { new { name = "main", url = UpstreamUrl, weight = 2 } },
            passiveHealthCheck = new { consecutiveFailures = 2 },
        }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "helper", kind = "a2a", agent = "helper" }, Cancellation)).EnsureSuccessStatusCode();
        foreach (var policy in new object[]
        {
            new { name = "trace", kind = "request-headers", targetRef = new { kind = "route", name = "api" }, spec = new { set = new[] { new { name = "X-Trace", value = "on" } } } },
            new { name = "tenant-headers", kind = "request-headers", targetRef = new { kind = "tenant" }, spec = new { set = new[] { new { name = "X-Tenant", value = "yes" } } } },
            new { name = "served-by", kind = "response-headers", targetRef = new { kind = "tenant" }, spec = new { set = new[] { new { name = "X-Served-By", value = "gateway" } } } },
            new { name = "copies", kind = "mirrors", targetRef = new { kind = "route", name = "api" }, spec = new { mirrors = new[] { new { url = UpstreamUrl + "/mirror", percentage = 50.0 } } } },
            new { name = "buckets", kind = "local-rate-limit", targetRef = new { kind = "route", name = "api" }, spec = new { buckets = new[] { new { name = "minute", maxTokens = 60, fillIntervalMs = 60000 } } } },
            new { name = "a2a-rules", kind = "a2a-authorization", targetRef = new { kind = "route", name = "helper" }, spec = new { rules = new[] { new { name = "all", expression = "true" } } } },
            new { name = "route-auth", kind = "backend-auth", targetRef = new { kind = "route", name = "helper" }, spec = new { passthrough = new { } } },
            new { name = "agent-auth", kind = "backend-auth", targetRef = new { kind = "agent", name = "helper" }, spec = new { header = new { name = "X-Agent-Key", value = new { secretRef = "agent-key" } } } },
        })
        {
            using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", policy, Cancellation);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var http = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api",
            candidate => candidate.Policies?.LocalRateLimit is not null && candidate.Policies.Mirrors.Count == 1, Cancellation);
        Assert.Equal(Route.BackendOneofCase.Http, http.BackendCase);
        Assert.Equal($"/{tenant}/api", http.Match.PathPrefix);
        Assert.Equal([host], http.Match.Hosts);
        Assert.Equal(["GET"], http.Match.Methods);
        Assert.Equal("x-canary", http.Match.Headers.Single().Name);
        Assert.Equal(UpstreamUrl, http.Http.Destinations.Single().Url);
        Assert.Equal(2u, http.Http.Destinations.Single().Weight);
        Assert.Equal(2u, http.Http.PassiveHealthCheck.ConsecutiveFailures);
        // The route's request headers replaced the tenant's; the tenant's response headers apply.
        Assert.Equal("X-Trace", http.Policies.RequestHeaders.Set.Single().Name);
        Assert.Equal("X-Served-By", http.Policies.ResponseHeaders.Set.Single().Name);
        Assert.Equal(50.0, http.Policies.Mirrors.Single().Percentage);
        Assert.Null(http.Http.Auth);

        var a2a = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/helper",
            candidate => candidate.A2A?.Auth?.MethodCase == BackendAuth.MethodOneofCase.Header, Cancellation);
        Assert.Equal($"/{tenant}/helper", a2a.Match.Path);
        Assert.Equal(UpstreamUrl, a2a.A2A.Url);
        // The agent's credentials replaced the route's, with the secret inline.
        Assert.Equal("agent-secret", a2a.A2A.Auth.Header.Value.Inline);
        Assert.Equal("all", a2a.Policies.A2AAuthorization.Rules.Single().Name);
        Assert.Equal("X-Tenant", a2a.Policies.RequestHeaders.Set.Single().Name);

        // The effective policies of the A2A route name the agent as its backend.
        var effective = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/helper/effective-policies", Cancellation);
        var target = effective.GetProperty("targets").EnumerateArray().Single();
        Assert.Equal("helper", target.GetProperty("target").GetString());
        Assert.Equal("agent", target.GetProperty("policies")[0].GetProperty("attachedTo").GetProperty("kind").GetString());
    }

    private static IEnumerable<JsonElement> Entries(JsonElement audit) => audit.EnumerateArray();
}
