using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentGateway.Tests.EndToEnd;
using AgentGateway.Tests.Fixtures;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// Hosts and route namespaces in a real browser: a tenant claims a host, its route outside <c>/demo</c> is refused
/// with AdminApi's reason on the field, a platform admin grants the host and the route is accepted; a route the
/// control plane leaves out carries a badge and its reason.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalHostsBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tenant_ClaimsAHost_PlatformAdminGrantsIt_AndARefusedRouteShowsWhy()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var host = $"h-{id}.example.test";
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;

        // The tenant claims the host; its routes on it stay under /demo.
        await browser.SignInAsync("/tenants/demo/hosts", "admin", "admin");
        await browser.Input("host-name").FillAsync(host);
        await page.GetByTestId("host-claim").ClickAsync();
        await Assertions.Expect(page.GetByTestId("hosts-table")).ToContainTextAsync(host);
        await Assertions.Expect(page.GetByTestId($"host-paths-{host}")).ToContainTextAsync("under /demo/");

        // Another tenant's host, or a too broad one, is refused on the field.
        await browser.Input("host-name").FillAsync("*.test");
        await page.GetByTestId("host-claim").ClickAsync();
        await Assertions.Expect(browser.Field("host-name")).ToContainTextAsync("too broad");

        using var api = new HttpClient { BaseAddress = platform.AdminApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await platform.GetAdminTokenAsync(Cancellation));
        object Route(string path) => new
        {
            name = $"root-{id}",
            kind = "http",
            pathPrefix = path,
            hosts = new[] { host },
            destinations = new[] { new { name = "notes", url = platform.NotesMcpUrl.GetLeftPart(UriPartial.Authority) } },
        };
        var refused = await api.PostAsJsonAsync("/api/v1/tenants/demo/routes", Route("/"), Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("must be '/demo' or lie below '/demo/'", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        // The platform admin grants it: every path of the host is the tenant's, and the same route is accepted.
        await browser.OpenAsync("/hosts");
        await Assertions.Expect(page.GetByTestId("platform-hosts-table")).ToContainTextAsync(host);
        await page.GetByTestId($"edit-host-{host}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"platform-host-paths-{host}")).ToContainTextAsync("granted: every path");
        (await api.PostAsJsonAsync("/api/v1/tenants/demo/routes", Route("/"), Cancellation)).EnsureSuccessStatusCode();
        await browser.OpenAsync("/tenants/demo/hosts");
        await Assertions.Expect(page.GetByTestId($"host-paths-{host}")).ToContainTextAsync("granted: every path");
        await Assertions.Expect(page.GetByTestId("hosts-table")).ToContainTextAsync($"root-{id}");

        // Taking the grant back while the route needs it is refused, and the Portal shows why.
        await browser.OpenAsync("/hosts");
        await page.GetByTestId($"edit-host-{host}").ClickAsync();
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync($"root-{id}");

        // A route whose grant went behind the API's back (as a restore of an older database could do) is left out of the
        // proxies' config: a badge, and the reason on its page.
        var connectionString = await platform.App.GetConnectionStringAsync("postgres", Cancellation);
        Assert.Equal(1, await BehindTheApi.ChangeAsync(connectionString!, """UPDATE host_claims SET "Granted" = false WHERE "Host" = @value""", host, Cancellation));

        await browser.OpenAsync("/tenants/demo/routes");
        await Assertions.Expect(page.GetByTestId($"route-status-root-{id}")).ToContainTextAsync("Refused", new() { Timeout = 20_000 });
        await browser.OpenAsync($"/tenants/demo/routes/root-{id}");
        await Assertions.Expect(page.GetByTestId("route-status-detail")).ToContainTextAsync("The control plane left it out");
        await Assertions.Expect(page.GetByTestId("route-status-detail")).ToContainTextAsync("match.pathPrefix");

        // Cleaned up, so the demo tenant holds nothing the other tests do not expect.
        (await api.DeleteAsync(new Uri($"/api/v1/tenants/demo/routes/root-{id}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        (await api.DeleteAsync(new Uri($"/api/v1/hosts/{host}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("/%5Cevil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/%09/evil.example/")]
    public async Task SignIn_WithAForeignReturnUrl_LandsOnThePortal(string returnUrl)
    {
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        await browser.SignInAsync($"/login?returnUrl={returnUrl}", "developer", "developer");
        Assert.Equal(platform.PortalUrl.Authority, new Uri(browser.Page.Url).Authority);
    }

    [Fact]
    public async Task ThePlayground_CallsRoutesWithATokenForTheGateway_NeverTheAdminApisToken()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        using var api = new HttpClient { BaseAddress = platform.AdminApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await platform.GetAdminTokenAsync(Cancellation));
        using var identity = new HttpClient();
        var issuer = $"http://localhost:{platform.IdentityPort}/realms/agentgateway";
        var jwks = await identity.GetStringAsync(new Uri(issuer + "/protocol/openid-connect/certs"), Cancellation);

        // Two routes of the same server: one takes tokens for the gateway, one takes tokens for AdminApi.
        foreach (var (route, audience) in new[] { ($"gw-{id}", "agentgateway-proxy"), ($"admin-{id}", "agentgateway") })
        {
            (await api.PostAsJsonAsync("/api/v1/tenants/demo/routes", new { name = route, targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/api/v1/tenants/demo/policies", new
            {
                name = $"jwt-{route}",
                kind = "jwt-auth",
                targetRef = new { kind = "route", name = route },
                spec = new { providers = new[] { new { issuer, audiences = new[] { audience }, jwks } } },
            }, Cancellation)).EnsureSuccessStatusCode();
        }

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync($"/tenants/demo/routes/gw-{id}", "admin", "admin");
        await Assertions.Expect(page.GetByTestId("tools-table")).ToContainTextAsync("echo", new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("gateway-error")).ToHaveCountAsync(0);

        // The signed-in user's own token would pass the second route; the playground never sends it.
        await browser.OpenAsync($"/tenants/demo/routes/admin-{id}");
        await Assertions.Expect(page.GetByTestId("gateway-error")).ToContainTextAsync("401", new() { Timeout = 20_000 });

        foreach (var route in new[] { $"gw-{id}", $"admin-{id}" })
        {
            (await api.DeleteAsync(new Uri($"/api/v1/tenants/demo/policies/jwt-{route}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
            (await api.DeleteAsync(new Uri($"/api/v1/tenants/demo/routes/{route}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        }
    }
}

