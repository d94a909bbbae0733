using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Domain.Policies;

/// <summary>
/// A policy acts only where its kind has an effect: attached to a route it does nothing on, it is refused (400 naming
/// the kind and the route kinds it acts on); attached to the tenant, it reaches only the routes it acts on; one stored
/// before that rule is reported on the route's effective policies and never sent to proxies; a route does not change
/// its kind under policies that would then do nothing.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class PolicyEffectTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APolicyIsRefusedWhereItWouldDoNothing_AndATenantsReachesOnlyTheRoutesItActsOn()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api", kind = "http", destinations = new[] { new { name = "main", url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}" } },
        }, Cancellation)).EnsureSuccessStatusCode();
        var policies = $"/api/v1/tenants/{tenant}/policies";
        object Mirrors(string name, object target) => new
        {
            name, kind = "mirrors", targetRef = target, spec = new { mirrors = new[] { new { url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}", percentage = 10 } } },
        };

        // On the MCP route, mirrors would change nothing: refused, naming where they act.
        var refused = await AssertProblemAsync(await admin.PostAsJsonAsync(policies, Mirrors("copies", new { kind = "route", name = "mcp" }), Cancellation), HttpStatusCode.BadRequest);
        var reason = refused.GetProperty("errors").GetProperty("kind")[0].GetString()!;
        Assert.Contains("'mirrors' has no effect on mcp routes", reason, StringComparison.Ordinal);
        Assert.Contains("http, a2a", reason, StringComparison.Ordinal);
        var guards = await AssertProblemAsync(await admin.PostAsJsonAsync(policies, new
        {
            name = "guards", kind = "llm-guards", targetRef = new { kind = "route", name = "api" }, spec = new { prompt = new[] { new { name = "cards", pii = new[] { "credit-card" } } } },
        }, Cancellation), HttpStatusCode.BadRequest);
        Assert.Contains("no effect on http routes", guards.GetProperty("errors").GetProperty("kind")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>(policies, Cancellation)).EnumerateArray());

        // Request authorization acts on every kind; on the HTTP route it is taken.
        (await admin.PostAsJsonAsync(policies, new
        {
            name = "readers", kind = "authorization", targetRef = new { kind = "route", name = "api" },
            spec = new { rules = new[] { new { name = "reads", expression = "request.method == 'GET'" } } },
        }, Cancellation)).EnsureSuccessStatusCode();

        // The tenant's mirrors reach the HTTP route, not the MCP route, which still goes out.
        (await admin.PostAsJsonAsync(policies, Mirrors("shadow", new { kind = "tenant" }), Cancellation)).EnsureSuccessStatusCode();
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var api = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", route => route.Policies?.Mirrors.Count == 1, Cancellation);
        Assert.Equal("reads", api.Policies.Authorization.Rules.Single().Name);
        var mcp = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", _ => true, Cancellation);
        Assert.True(mcp.Policies is null || mcp.Policies.Mirrors.Count == 0);
        var effective = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/mcp/effective-policies", Cancellation);
        Assert.DoesNotContain(effective.GetProperty("policies").EnumerateArray(), part => part.GetProperty("kind").GetString() == "mirrors");
    }

    [Fact]
    public async Task APolicyStoredWhereItDoesNothing_IsReportedOnTheRoute_AndNeverSent()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "headers", kind = "request-headers", targetRef = new { kind = "route", name = "mcp" },
            spec = new { set = new[] { new { name = "X-Team", value = "blue" } } },
        }, Cancellation)).EnsureSuccessStatusCode();

        // A policy of a kind that does nothing on MCP routes, stored before such policies were refused (a restored backup).
        Assert.Equal(1, await BehindTheApi.ChangeAsync(controlPlane.ConnectionString,
            """UPDATE policies SET "Kind" = 'url-rewrite', "Spec" = '{"hostname": "elsewhere.example.com"}'::jsonb WHERE "Name" = 'headers' AND "TenantId" = (SELECT "Id" FROM tenants WHERE "Name" = @value)""",
            tenant, Cancellation));

        var effective = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/mcp/effective-policies", Cancellation);
        var ignored = Assert.Single(effective.GetProperty("ignored").EnumerateArray());
        Assert.Equal(("url-rewrite", "headers"), (ignored.GetProperty("kind").GetString(), ignored.GetProperty("policy").GetString()));
        Assert.Contains("no effect on mcp routes", ignored.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(effective.GetProperty("policies").EnumerateArray());

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", candidate => candidate.Policies?.RequestHeaders is null, Cancellation);
        Assert.True(route.Policies is null || route.Policies.UrlRewrite is null);
    }

    [Fact]
    public async Task ARouteKeepsItsKind_WhileAPolicyAttachedToItWouldDoNothingOnTheNewKind()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api", kind = "http", destinations = new[] { new { name = "main", url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}" } },
        }, Cancellation)).EnsureSuccessStatusCode();
        var policies = $"/api/v1/tenants/{tenant}/policies";
        (await admin.PostAsJsonAsync(policies, new
        {
            name = "copies", kind = "mirrors", targetRef = new { kind = "route", name = "api" },
            spec = new { mirrors = new[] { new { url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}", percentage = 10 } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(policies, new
        {
            name = "readers", kind = "authorization", targetRef = new { kind = "route", name = "api" },
            spec = new { rules = new[] { new { name = "reads", expression = "request.method == 'GET'" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        var route = $"/api/v1/tenants/{tenant}/routes/api";
        var toMcp = new { kind = "mcp", targets = new[] { "utils" } };

        // Mirrors act on HTTP and A2A routes only: the route stays HTTP, and the answer names the policy and why.
        var refused = await AssertProblemAsync(await admin.PutAsJsonAsync(route, toMcp, Cancellation), HttpStatusCode.Conflict);
        var detail = refused.GetProperty("detail").GetString()!;
        Assert.Contains("'copies' ('mirrors' has no effect on mcp routes; it applies to http, a2a routes)", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("'readers'", detail, StringComparison.Ordinal);
        Assert.Equal("http", (await admin.GetFromJsonAsync<JsonElement>(route, Cancellation)).GetProperty("kind").GetString());

        // Without them, it changes; request authorization acts on every kind and stays attached.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"{policies}/copies", UriKind.Relative), Cancellation)).StatusCode);
        using var changed = await admin.PutAsJsonAsync(route, toMcp, Cancellation);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("mcp", (await changed.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("kind").GetString());
        var effective = await admin.GetFromJsonAsync<JsonElement>($"{route}/effective-policies", Cancellation);
        Assert.Contains(effective.GetProperty("policies").EnumerateArray(), part => part.GetProperty("policy").GetString() == "readers");
    }
}
