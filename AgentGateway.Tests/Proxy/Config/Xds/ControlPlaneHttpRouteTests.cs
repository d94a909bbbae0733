using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>A proxy configured by the control plane over xDS, and a loopback upstream the egress allowlist lets it reach.</summary>
public sealed class ControlPlaneHttpRouteFixture(ControlPlaneFixture controlPlane) : IAsyncLifetime
{
    public LoopbackUpstream Upstream { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Upstream = await LoopbackUpstream.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", cancellationToken);
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist",
            new { cidr = "127.0.0.1/32", ports = new[] { Upstream.Address.Port }, description = "the HTTP route upstream" }, cancellationToken);
        allowed.EnsureSuccessStatusCode();
        Proxy = await controlPlane.StartProxyAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }
    }
}

/// <summary>An HTTP route made through the REST API reaches a proxy over xDS and takes the requests its match describes to its destination.</summary>
[Collection(ControlPlaneCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ControlPlaneHttpRouteTests(ControlPlaneFixture controlPlane, ControlPlaneHttpRouteFixture fixture) : IClassFixture<ControlPlaneHttpRouteFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnHttpRouteWithPolicies_MadeThroughTheApi_ForwardsMatchingRequestsThroughTheProxy()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        using (var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api",
            kind = "http",
            pathPrefix = $"/{tenant}/api",
            methods = new[] { "GET" },
            destinations = new[] { new { name = "main", url = fixture.Upstream.Address.ToString().TrimEnd('/') } },
        }, Cancellation))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
        }

        using (var policy = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "trace",
            kind = "request-headers",
            targetRef = new { kind = "route", name = "api" },
            spec = new { set = new[] { new { name = "X-Gateway-Trace", value = "on" } } },
        }, Cancellation))
        {
            Assert.True(policy.StatusCode == HttpStatusCode.Created, await policy.Content.ReadAsStringAsync(Cancellation));
        }

        // The proxy holds the route with its match, destination and policy as the control plane built it.
        await using (var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route))
        {
            var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", candidate => candidate.Policies?.RequestHeaders is not null, Cancellation);
            Assert.Equal("X-Gateway-Trace", route.Policies.RequestHeaders.Set.Single().Name);
            Assert.Equal(["GET"], route.Match.Methods);
            Assert.Equal(fixture.Upstream.Address.ToString().TrimEnd('/'), route.Http.Destinations.Single().Url);
        }

        using var client = new HttpClient { BaseAddress = fixture.Proxy.BaseAddress };
        JsonElement echo = default;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/{tenant}/api/items/7?full=1", UriKind.Relative), Cancellation);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // The route and its policy were two changes; wait for the config that has both.
                echo = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
                if (echo.GetProperty("headers").TryGetProperty("x-gateway-trace", out _))
                {
                    break;
                }
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the route and its policy to reach the proxy: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
            await Task.Delay(200, Cancellation);
        }

        // The upstream received the request as sent to the gateway.
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal($"/{tenant}/api/items/7", echo.GetProperty("path").GetString());
        Assert.Equal("?full=1", echo.GetProperty("query").GetString());
        // The route's request-headers policy, made through REST, set the header the upstream received.
        Assert.Equal("on", echo.GetProperty("headers").GetProperty("x-gateway-trace").GetString());

        // A request outside the match (another method, a path beside the prefix) is not forwarded.
        using (var post = await client.PostAsync(new Uri($"/{tenant}/api/items", UriKind.Relative), new StringContent("{}"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        using (var beside = await client.GetAsync(new Uri($"/{tenant}/apis", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NotFound, beside.StatusCode);
        }
    }
}
