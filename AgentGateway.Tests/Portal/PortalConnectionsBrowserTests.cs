using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// The token vault in a real browser: a user sent to the Portal by their MCP client authorizes a server that acts as
/// them at its authorization server (the platform's issuer here), comes back to the Portal's callback, sees the
/// connection, and disconnects it; the tenant's admins see it meanwhile.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalConnectionsBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AUser_AuthorizesAServerThatActsAsThem_ThroughThePortal_AndDisconnectsIt()
    {
        using var admin = await platform.CreateAdminApiClientAsync(Cancellation);
        var tenant = "conn-" + Guid.NewGuid().ToString("N")[..8];
        var issuer = new Uri(platform.TokenEndpoint, "/realms/agentgateway").AbsoluteUri;
        (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, displayName = "Connections" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { platform.IdentityPort }, description = "the issuer, as a server's authorization server" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers", new { name = "utils", transport = "streamable-http", url = platform.UtilsMcpUrl }, Cancellation)).EnsureSuccessStatusCode();

        // The gateway's client at the authorization server, sending users back to the Portal's callback.
        using var http = new HttpClient();
        using var registered = await http.PostAsJsonAsync(issuer + "/clients-registrations/openid-connect", new Dictionary<string, object>
        {
            ["client_name"] = "Acts as each user",
            ["redirect_uris"] = new[] { new Uri(platform.PortalUrl, $"/connections/callback/{tenant}/acts-as-user").AbsoluteUri },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["token_endpoint_auth_method"] = "client_secret_basic",
        }, Cancellation);
        registered.EnsureSuccessStatusCode();
        var client = await registered.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/client-secret", new { value = client.GetProperty("client_secret").GetString() }, Cancellation)).EnsureSuccessStatusCode();
        using var policy = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "acts-as-user",
            kind = "backend-auth",
            targetRef = new { kind = "mcp-server", name = "utils" },
            spec = new
            {
                userOauth = new
                {
                    authorizationUrl = issuer + "/protocol/openid-connect/auth",
                    tokenUrl = issuer + "/protocol/openid-connect/token",
                    clientId = client.GetProperty("client_id").GetString(),
                    clientSecret = new { secretRef = "client-secret" },
                    scopes = new[] { "offline_access" },
                },
            },
        }, Cancellation);
        Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync(Cancellation));

        // Where an MCP client sends the user: the Portal's page for this tenant and policy.
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync($"/connections?tenant={tenant}&policy=acts-as-user", "admin", "admin");
        await Assertions.Expect(page.GetByTestId("connect-request")).ToContainTextAsync(tenant);
        await page.GetByTestId("connect-authorize").ClickAsync();

        // Signed in at the issuer already: straight back to the callback, which completes the authorization.
        await Assertions.Expect(page.GetByTestId("connection-done")).ToContainTextAsync("acts-as-user", new() { Timeout = 30_000 });
        var connections = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/connections", Cancellation);
        Assert.Equal("admin", Assert.Single(connections!).GetProperty("username").GetString());

        await browser.OpenAsync($"/tenants/{tenant}/connections");
        await Assertions.Expect(page.GetByTestId("tenant-connections-table")).ToContainTextAsync("acts-as-user");

        await browser.OpenAsync("/connections");
        await Assertions.Expect(page.GetByTestId("connections-table")).ToContainTextAsync(tenant);
        await page.GetByTestId($"disconnect-{tenant}-acts-as-user").ClickAsync();
        await browser.ConfirmAsync("Disconnect");
        await Assertions.Expect(page.GetByTestId("connections-table")).Not.ToContainTextAsync(tenant);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/connections", Cancellation))!);
    }
}
