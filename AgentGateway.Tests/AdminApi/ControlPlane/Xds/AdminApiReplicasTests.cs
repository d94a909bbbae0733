using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.AdminApi.ControlPlane.Xds;

/// <summary>Two AdminApi replicas on one database, as behind a load balancer: a write on either reaches both, at the same version.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class AdminApiReplicasTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWriteOnEitherReplica_IsServedByBothOverXds_AtTheSameVersion()
    {
        var database = "replicas_" + Guid.NewGuid().ToString("N")[..8];
        var key = ControlPlaneFixture.NewMasterKey();
        var (first, firstXds) = await controlPlane.StartAdminApiAsync(database, key, [], Cancellation);
        await using var stopFirst = first;
        var (second, secondXds) = await controlPlane.StartAdminApiAsync(database, key, [], Cancellation);
        await using var stopSecond = second;
        using var viaFirst = await ClientAsync(first);
        using var viaSecond = await ClientAsync(second);

        var tenant = "rep" + Guid.NewGuid().ToString("N")[..6];
        (await viaFirst.PostAsJsonAsync("/api/v1/egress-allowlist", new { host = "example.test", description = "never called" }, Cancellation)).EnsureSuccessStatusCode();
        (await viaFirst.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, displayName = tenant }, Cancellation)).EnsureSuccessStatusCode();
        using (var created = await viaSecond.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", Route("http://example.test/v1"), Cancellation))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        }

        await using var proxyOfFirst = await XdsTestClient.ConnectAsync(controlPlane, firstXds, Cancellation, ResourceTypes.Route);
        await using var proxyOfSecond = await XdsTestClient.ConnectAsync(controlPlane, secondXds, Cancellation, ResourceTypes.Route);
        var name = $"{tenant}/api";
        await AgreeAsync(proxyOfFirst, proxyOfSecond, name, "http://example.test/v1");

        // Changed through the first, removed through the second: both replicas push each.
        using (var changed = await viaFirst.PutAsJsonAsync($"/api/v1/tenants/{tenant}/routes/api", Route("http://example.test/v2"), Cancellation))
        {
            Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync(Cancellation));
        }

        await AgreeAsync(proxyOfFirst, proxyOfSecond, name, "http://example.test/v2");
        (await viaSecond.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/api", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        await proxyOfFirst.WaitForRemovalAsync(ResourceTypes.Route, name, Cancellation);
        await proxyOfSecond.WaitForRemovalAsync(ResourceTypes.Route, name, Cancellation);
    }

    private static object Route(string url) => new
    {
        name = "api",
        kind = "http",
        destinations = new[] { new { name = "main", url } },
    };

    private static async Task AgreeAsync(XdsTestClient first, XdsTestClient second, string name, string url)
    {
        var ofFirst = await first.WaitForAsync<Route>(ResourceTypes.Route, name, route => route.Http.Destinations.Single().Url == url, Cancellation);
        var ofSecond = await second.WaitForAsync<Route>(ResourceTypes.Route, name, route => route.Http.Destinations.Single().Url == url, Cancellation);
        Assert.Equal(ofFirst, ofSecond);
        Assert.Equal(first.VersionOf(ResourceTypes.Route, name), second.VersionOf(ResourceTypes.Route, name));
    }

    private async Task<HttpClient> ClientAsync(ServiceProcess adminApi)
    {
        var http = new HttpClient { BaseAddress = adminApi.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await controlPlane.GetTokenAsync("admin", Cancellation));
        return http;
    }
}
