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
/// Hosts belong to one tenant: claimed first come, first served (explicitly or by a route), released only when no
/// route depends on them, and assigned, transferred and granted whole by platform admins; grants reach proxies. A
/// route's status says when it does not reach traffic, and why.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class HostsApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static object HttpRoute(string name, string pathPrefix, params string[] hosts) =>
        new { name, kind = "http", pathPrefix, hosts, destinations = new[] { new { name = "main", url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}" } } };

    [Fact]
    public async Task Claims_AreFirstComeFirstServed_KeptWhileRoutesNameThem_AndNeverTheGatewaysOwnOrTooBroad()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var first = await CreateTenantAsync(admin, "developer", "developer");
        var second = await CreateTenantAsync(admin, null, null);
        var domain = NewName("d") + ".example.test";

        // A developer claims a wildcard; another tenant can take nothing it covers, and is not told who holds it.
        using (var claimed = await developer.PostAsJsonAsync($"/api/v1/tenants/{first}/hosts", new { host = $"*.{domain}" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        }

        foreach (var host in new[] { $"*.{domain}", $"api.{domain}", $"*.x.{domain}" })
        {
            var taken = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/hosts", new { host }, Cancellation), HttpStatusCode.Conflict);
            Assert.DoesNotContain(first, taken.GetProperty("detail").GetString(), StringComparison.Ordinal);
            await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", HttpRoute("r", $"/{second}/r", host), Cancellation), HttpStatusCode.Conflict);
        }

        // Not a tenant's to claim: a wildcard of one label, the gateway's own host, a malformed name.
        foreach (var host in new[] { "*.test", "gateway.test", "Bad_Host", "*.*.example.test" })
        {
            var refused = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/hosts", new { host }, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(refused.GetProperty("errors").TryGetProperty("host", out _), refused.ToString());
        }

        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", HttpRoute("r", $"/{second}/r", "gateway.test"), Cancellation), HttpStatusCode.BadRequest);

        // A route names a host the tenant already covers: no new claim; a host it does not: claimed with the route.
        (await developer.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", HttpRoute("api", $"/{first}/api", $"api.{domain}"), Cancellation)).EnsureSuccessStatusCode();
        var other = NewName("o") + ".example.test";
        (await developer.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", HttpRoute("other", $"/{first}/other", other), Cancellation)).EnsureSuccessStatusCode();
        var hosts = await developer.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{first}/hosts", Cancellation);
        var byHost = hosts.EnumerateArray().ToDictionary(claim => claim.GetProperty("host").GetString()!);
        Assert.Equal([$"*.{domain}", other], byHost.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["api"], byHost[$"*.{domain}"].GetProperty("routes").EnumerateArray().Select(route => route.GetString()));
        Assert.False(byHost[other].GetProperty("granted").GetBoolean());

        // A developer may not release; an owner may not release what a route names; once no route does, it goes.
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"/api/v1/tenants/{first}/hosts/{other}", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        var inUse = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{first}/hosts/{other}", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'other'", inUse.GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{first}/routes/other", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{first}/hosts/{other}", UriKind.Relative), Cancellation)).StatusCode);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", HttpRoute("other", $"/{second}/other", other), Cancellation)).EnsureSuccessStatusCode();

        // Only platform admins see every tenant's hosts.
        await AssertProblemAsync(await developer.GetAsync(new Uri("/api/v1/hosts", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        var all = await admin.GetFromJsonAsync<JsonElement>("/api/v1/hosts", Cancellation);
        Assert.Contains(all.EnumerateArray(), claim => claim.GetProperty("host").GetString() == other && claim.GetProperty("tenant").GetString() == second);
    }

    [Fact]
    public async Task PlatformAdmins_TransferAndGrantHosts_GrantsReachProxies_AndNothingTheyDoStrandsARoute()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var first = await CreateTenantAsync(admin, "developer", "owner");
        var second = await CreateTenantAsync(admin, null, null);
        var host = NewName("g") + ".example.test";
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", HttpRoute("api", $"/{first}/api", host), Cancellation)).EnsureSuccessStatusCode();

        // Tenants cannot grant themselves anything.
        await AssertProblemAsync(await developer.PutAsJsonAsync($"/api/v1/hosts/{host}", new { tenant = first, granted = true }, Cancellation), HttpStatusCode.Forbidden);

        // A transfer that would strand the holder's route is refused; the holder's routes on it must go first.
        var stranding = await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/hosts/{host}", new { tenant = second }, Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'api'", stranding.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Granted: the tenant's route may take every path of the host, and proxies learn the grant.
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.HostGrant, ResourceTypes.Route);
        (await admin.PutAsJsonAsync($"/api/v1/hosts/{host}", new { tenant = first, granted = true }, Cancellation)).EnsureSuccessStatusCode();
        var grant = await xds.WaitForAsync<HostGrant>(ResourceTypes.HostGrant, host, _ => true, Cancellation);
        Assert.Equal(first, grant.Tenant);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", HttpRoute("everything", "/", host), Cancellation)).EnsureSuccessStatusCode();
        var everything = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{first}/everything", _ => true, Cancellation);
        Assert.Equal("/", everything.Match.PathPrefix);

        // Taking the grant back would strand that route: refused until the route is gone.
        var needed = await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/hosts/{host}", new { tenant = first, granted = false }, Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'everything'", needed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/hosts/{host}", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);

        foreach (var route in new[] { "everything", "api" })
        {
            (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{first}/routes/{route}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        }

        // Now the host moves to the other tenant, ungranted, and the grant leaves the proxies.
        using (var moved = await admin.PutAsJsonAsync($"/api/v1/hosts/{host}", new { tenant = second }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            var claim = await moved.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(second, claim.GetProperty("tenant").GetString());
            Assert.False(claim.GetProperty("granted").GetBoolean());
        }

        await xds.WaitForRemovalAsync(ResourceTypes.HostGrant, host, Cancellation);
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{first}/routes", HttpRoute("api", $"/{first}/api", host), Cancellation), HttpStatusCode.Conflict);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", HttpRoute("api", $"/{second}/api", host), Cancellation)).EnsureSuccessStatusCode();

        // A grant overlapping another tenant's host is refused, naming the holder to the platform admin.
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{second}/routes", HttpRoute("sub", $"/{second}/sub", $"api.{host}"), Cancellation)).EnsureSuccessStatusCode();
        var overlapping = await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/hosts/*.{host}", new { tenant = first, granted = true }, Cancellation), HttpStatusCode.Conflict);
        Assert.Contains(second, overlapping.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteStatus_SaysWhenTheControlPlaneLeavesARouteOut_OrAProxyRefusesIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", HttpRoute("api", $"/{tenant}/api"), Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", HttpRoute("other", $"/{tenant}/other"), Cancellation)).EnsureSuccessStatusCode();
        await UntilAsync(async () => (await StatusAsync(admin, tenant, "api")).GetProperty("state").GetString() == "served", "the route was never served");

        // A proxy that refuses the route (while it serves the rest) is named on the route with its reason.
        await using (var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route))
        {
            xds.Reply = response =>
            {
                var rejected = new RejectedResources();
                var resource = new RejectedResource { TypeUrl = ResourceTypes.Route, Name = $"{tenant}/api", Version = "v", PreviousServed = true };
                resource.Errors.Add("match: too clever by half");
                rejected.Resources.Add(resource);
                var status = new AgentGateway.Contracts.Rpc.Status { Code = 3, Message = "route refused" };
                status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(rejected));
                return status;
            };
            await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", _ => true, Cancellation);
            await UntilAsync(async () => (await StatusAsync(admin, tenant, "api")).GetProperty("state").GetString() == "refused", "the proxy's refusal never showed");
            var problem = (await StatusAsync(admin, tenant, "api")).GetProperty("problems").EnumerateArray().Single();
            Assert.Equal($"proxy {xds.NodeId}", problem.GetProperty("source").GetString());
            Assert.Equal("match: too clever by half", problem.GetProperty("message").GetString());
            Assert.True(problem.GetProperty("previousServed").GetBoolean());
            Assert.Equal("served", (await StatusAsync(admin, tenant, "other")).GetProperty("state").GetString());
            var proxies = await admin.GetFromJsonAsync<JsonElement>("/api/v1/proxies", Cancellation);
            var mine = proxies.EnumerateArray().Single(proxy => proxy.GetProperty("nodeId").GetString() == xds.NodeId);
            Assert.Equal($"{tenant}/api", mine.GetProperty("rejected")[0].GetProperty("name").GetString());
        }

        // A route stored before its rules tightened (here: moved out of its namespace behind the API's back) is left
        // out of the proxies' config, the rest of the tenant's routes still go out, and the route says why.
        Assert.Equal(1, await BehindTheApi.ChangeAsync(controlPlane.ConnectionString,
            """UPDATE routes SET "PathPrefix" = '/elsewhere' WHERE "Name" = 'api' AND "TenantId" = (SELECT "Id" FROM tenants WHERE "Name" = @value)""", tenant, Cancellation));

        await UntilAsync(async () => (await StatusAsync(admin, tenant, "api")).GetProperty("state").GetString() == "refused", "the control plane did not leave the route out");
        var leftOut = (await StatusAsync(admin, tenant, "api")).GetProperty("problems").EnumerateArray().Single();
        Assert.Equal("control-plane", leftOut.GetProperty("source").GetString());
        Assert.Contains($"match.pathPrefix: must be '/{tenant}' or lie below '/{tenant}/'", leftOut.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("served", (await StatusAsync(admin, tenant, "other")).GetProperty("state").GetString());
        await using var fresh = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        await fresh.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/other", _ => true, Cancellation);
    }

    private static async Task<JsonElement> StatusAsync(HttpClient client, string tenant, string route) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/{route}", Cancellation)).GetProperty("status");

    private static async Task UntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, failure);
            await Task.Delay(100, Cancellation);
        }
    }
}
