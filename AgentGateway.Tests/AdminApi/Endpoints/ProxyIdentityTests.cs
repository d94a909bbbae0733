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
/// The proxy's own cloud identity reaches a tenant's upstream only when a platform admin allowed that tenant: the
/// policy that asks for it is refused otherwise, the permission cannot be taken back from under a policy, and a route
/// whose tenant lost it behind the API's back is left out of the proxies' config.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ProxyIdentityTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyTenantsAPlatformAdminAllowed_MayUseTheProxysOwnIdentity()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var owner = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "owner");
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api", kind = "http", destinations = new[] { new { name = "main", url = $"http://127.0.0.1:{ControlPlaneFixture.DiscardPort}" } },
        }, Cancellation)).EnsureSuccessStatusCode();
        object Policy(object spec) => new { name = "machine", kind = "backend-auth", targetRef = new { kind = "route", name = "api" }, spec };

        // Neither a key nor the ask is no identity at all.
        var nobody = await AssertProblemAsync(await owner.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", Policy(new { gcpAccessToken = new { } }), Cancellation), HttpStatusCode.BadRequest);
        Assert.Contains("proxyIdentity: true", nobody.GetProperty("errors").GetProperty("spec.gcpAccessToken.serviceAccountKey")[0].GetString(), StringComparison.Ordinal);

        // Asking for the proxy's identity is refused until a platform admin allows the tenant; the tenant cannot allow itself.
        var refused = await AssertProblemAsync(await owner.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", Policy(new { gcpAccessToken = new { proxyIdentity = true } }), Cancellation), HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("spec.gcpAccessToken.proxyIdentity", out _), refused.ToString());
        await AssertProblemAsync(await owner.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { displayName = "Mine", allowProxyIdentity = true }, Cancellation), HttpStatusCode.Forbidden);
        var allowed = await (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { displayName = "Allowed", allowProxyIdentity = true }, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.True(allowed.GetProperty("allowProxyIdentity").GetBoolean());

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        (await owner.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", Policy(new { gcpAccessToken = new { proxyIdentity = true } }), Cancellation)).EnsureSuccessStatusCode();
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", candidate => candidate.Http?.Auth?.GcpAccessToken is not null, Cancellation);
        Assert.True(route.Http.Auth.GcpAccessToken.ProxyIdentity);

        // The permission is not taken back from under the policy that uses it.
        var inUse = await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { displayName = "Allowed", allowProxyIdentity = false }, Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'machine'", inUse.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Taken back behind the API's back (a restored database): the route leaves the proxies' config, and says why.
        Assert.Equal(1, await BehindTheApi.ChangeAsync(controlPlane.ConnectionString, """UPDATE tenants SET "AllowProxyIdentity" = false WHERE "Name" = @value""", tenant, Cancellation));

        await xds.WaitForRemovalAsync(ResourceTypes.Route, $"{tenant}/api", Cancellation);
        var status = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/api", Cancellation)).GetProperty("status");
        Assert.Equal("refused", status.GetProperty("state").GetString());
        Assert.Contains("proxy's own cloud identity is not allowed", status.GetProperty("problems")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
