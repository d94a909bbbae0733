using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>A developer drives the Portal in a real browser (Debian's Chromium) against the whole platform.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalBrowserTests(AppHostFixture platform)
{
    [Fact]
    public async Task Developer_LogsIn_RegistersServer_AndSeesItsToolsOnANewRoute()
    {
        var serverName = "notes-" + Guid.NewGuid().ToString("N")[..6];
        var routeName = "r-" + Guid.NewGuid().ToString("N")[..6];
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;

        // An anonymous visit goes to the issuer's login page; signing in comes back to the page asked for.
        await browser.SignInAsync("/tenants/demo/mcp-servers/new", "developer", "developer");

        // Register a server: the notes sample, under a new name.
        await browser.Input("server-name").FillAsync(serverName);
        await browser.Input("server-url").FillAsync(platform.NotesMcpUrl.AbsoluteUri);
        await page.GetByTestId("server-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("servers-table")).ToContainTextAsync(serverName);

        // A route federating it shows the server's tools, named for the single target without a prefix.
        await browser.OpenAsync("/tenants/demo/routes/new");
        await browser.Input("route-name").FillAsync(routeName);
        await page.GetByTestId($"target-{serverName}").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = serverName })).ToBeCheckedAsync();
        await page.GetByTestId("route-submit").ClickAsync();

        var tools = page.GetByTestId("tools-table");
        await Assertions.Expect(tools).ToContainTextAsync("add_note");
        await Assertions.Expect(tools).ToContainTextAsync("search_notes");
        await Assertions.Expect(page.GetByTestId("route-endpoint")).ToHaveTextAsync(new Uri(platform.ProxyUrl, $"/demo/{routeName}").AbsoluteUri);

        // The page tells common MCP clients how to connect to it.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Connect a client" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("snippet-vs-code")).ToContainTextAsync($"\"demo-{routeName}\"");
        await Assertions.Expect(page.GetByTestId("snippet-vs-code")).ToContainTextAsync(new Uri(platform.ProxyUrl, $"/demo/{routeName}").AbsoluteUri);
        await Assertions.Expect(page.GetByTestId("snippet-claude-code")).ToContainTextAsync($"claude mcp add --transport http demo-{routeName}");
        await browser.OpenAsync($"/tenants/demo/routes/{routeName}");

        // Once the proxy serves the route, the page lists through it, and the playground calls a tool through it.
        var tryIt = page.GetByTestId("try-add_note");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!await tryIt.IsVisibleAsync())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The route page never listed the route through the gateway.");
            await page.ReloadAsync();
            await PortalBrowser.WaitUntilInteractiveAsync(page);
        }

        await tryIt.ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Playground" }).ClickAsync();
        await page.Locator("textarea[data-testid='playground-arguments']").FillAsync("{\"title\": \"from the portal\", \"content\": \"written in the playground\"}");
        await page.GetByTestId("playground-call").ClickAsync();
        await Assertions.Expect(page.GetByTestId("playground-result")).ToContainTextAsync("from the portal");

        // Route settings are edited in place.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await page.GetByText("Always prefix").ClickAsync();
        await page.GetByTestId("settings-save").ClickAsync();
        await Assertions.Expect(page.GetByText("prefix mode always")).ToBeVisibleAsync();

        // The tenant's members: a developer sees them and may leave, but manages nobody.
        await browser.OpenAsync("/tenants/demo/members");
        await Assertions.Expect(page.GetByTestId("members-table")).ToContainTextAsync("developer");
        await Assertions.Expect(page.GetByTestId("leave-tenant")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Invite a member")).ToHaveCountAsync(0);

        // Security pages by role: a developer writes secrets but only reads policies, and the platform's egress
        // allowlist answers with AdminApi's refusal.
        await browser.OpenAsync("/tenants/demo/secrets");
        await Assertions.Expect(page.GetByTestId("secret-form")).ToBeVisibleAsync();
        await browser.OpenAsync("/tenants/demo/policies");
        await Assertions.Expect(page.GetByTestId("role-notice")).ToContainTextAsync("changing them takes admin or above");
        await Assertions.Expect(page.GetByTestId("create-policy")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("nav-egress")).ToHaveCountAsync(0);
        await browser.OpenAsync("/egress-allowlist");
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync("Forbidden");
        await Assertions.Expect(page.GetByTestId("egress-form")).ToHaveCountAsync(0);
    }
}
