using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.AdminApi.Hosting;

/// <summary>
/// A control plane of its own (not the shared collection's: this test kills its database and its AdminApi), a proxy
/// configured over xDS, and an upstream the egress allowlist lets routes reach.
/// </summary>
public sealed class StoreOutageFixture : IAsyncLifetime
{
    public ControlPlaneFixture ControlPlane { get; } = new();

    public EchoUpstream Echo { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await ControlPlane.InitializeAsync();
        Echo = await EchoUpstream.StartAsync();
        using var admin = await ControlPlane.CreateClientAsync("admin", cancellationToken);
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist",
            new { cidr = "127.0.0.1/32", ports = new[] { Echo.Address.Port }, description = "the echo upstream" }, cancellationToken);
        allowed.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (Echo is not null)
        {
            await Echo.DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
    }
}

/// <summary>PostgreSQL, then AdminApi, go away and come back while a proxy serves traffic.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StoreOutageTests(StoreOutageFixture fixture) : IClassFixture<StoreOutageFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ControlPlaneFixture ControlPlane => fixture.ControlPlane;

    [Fact]
    public async Task PostgresThenAdminApiDown_TheProxyServesItsLastConfig_TheApiAnswers503WritingNothing_AndEverythingReconnects()
    {
        using var admin = await ControlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await CreateRouteAsync(admin, tenant, "before", HttpStatusCode.Created);
        await using var proxy = await ControlPlane.StartProxyAsync(Cancellation);
        using var traffic = new HttpClient { BaseAddress = proxy.BaseAddress };
        await WaitUntilServedAsync(traffic, tenant, "before");

        // PostgreSQL dies: reads and writes are answered 503 with a reason and a time to retry, the API is not ready,
        // and the proxy goes on serving what it holds.
        await ControlPlane.Postgres.StopAsync();
        using (var read = await admin.GetAsync($"/api/v1/tenants/{tenant}/routes", Cancellation))
        {
            await AssertStoreUnavailableAsync(read);
        }

        using (var write = await PostRouteAsync(admin, tenant, "during"))
        {
            await AssertStoreUnavailableAsync(write);
        }

        using (var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        await AssertServedAsync(traffic, tenant, "before");

        // AdminApi dies too: the proxy keeps its config, and stays ready.
        await ControlPlane.StopAdminApiAsync();
        for (var request = 0; request < 5; request++)
        {
            await AssertServedAsync(traffic, tenant, "before");
            await Task.Delay(300, Cancellation);
        }

        using (var ready = await traffic.GetAsync(new Uri("/readyz", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Both come back; the proxy reconnects by itself and takes a change made after the outage.
        await ControlPlane.Postgres.RestartAsync(Cancellation);
        await ControlPlane.RestartAdminApiAsync(Cancellation);
        using var again = await ControlPlane.CreateClientAsync("admin", Cancellation);
        await CreateRouteAsync(again, tenant, "after", HttpStatusCode.Created);
        await WaitUntilServedAsync(traffic, tenant, "after");
        await AssertServedAsync(traffic, tenant, "before");

        // The write refused during the outage left nothing behind: the same name is free, and stored once.
        await CreateRouteAsync(again, tenant, "during", HttpStatusCode.Created);
        var routes = await again.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes", Cancellation);
        var names = Items(routes).Select(route => route.GetProperty("name").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["after", "before", "during"], names);
    }

    private static IEnumerable<JsonElement> Items(JsonElement list) =>
        list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : list.GetProperty("items").EnumerateArray();

    private async Task<HttpResponseMessage> PostRouteAsync(HttpClient admin, string tenant, string name) =>
        await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name,
            kind = "http",
            pathPrefix = $"/{tenant}/{name}",
            destinations = new[] { new { name = "echo", url = fixture.Echo.Address.ToString().TrimEnd('/') } },
        }, Cancellation);

    private async Task CreateRouteAsync(HttpClient admin, string tenant, string name, HttpStatusCode expected)
    {
        using var response = await PostRouteAsync(admin, tenant, name);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
    }

    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("The configuration store is unavailable", body, StringComparison.Ordinal);
    }

    private static async Task AssertServedAsync(HttpClient traffic, string tenant, string route)
    {
        using var response = await traffic.GetAsync(new Uri($"/{tenant}/{route}/x", UriKind.Relative), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task WaitUntilServedAsync(HttpClient traffic, string tenant, string route)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await traffic.GetAsync(new Uri($"/{tenant}/{route}/x", UriKind.Relative), Cancellation);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"The route {route} did not reach the proxy: {(int)response.StatusCode}");
            await Task.Delay(200, Cancellation);
        }
    }
}
