using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>A developer drives the Portal in a real browser (Debian's Chromium) against the whole platform.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalBrowserTests(AppHostFixture platform)
{
    private static readonly string[] s_chromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    [Fact]
    public async Task Developer_LogsIn_RegistersServer_AndSeesItsToolsOnANewRoute()
    {
        var serverName = "notes-" + Guid.NewGuid().ToString("N")[..6];
        var routeName = "r-" + Guid.NewGuid().ToString("N")[..6];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = s_chromiumArgs,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        // An anonymous visit goes to the issuer's login page; signing in comes back to the page asked for.
        await page.GotoAsync(new Uri(platform.PortalUrl, "/tenants/demo/mcp-servers/new").AbsoluteUri);
        await page.Locator("#username").FillAsync("developer");
        await page.Locator("#password").FillAsync("developer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("developer");
        await WaitUntilInteractiveAsync(page);

        // Register a server: the notes sample, under a new name.
        await Input(page, "server-name").FillAsync(serverName);
        await Input(page, "server-url").FillAsync(platform.NotesMcpUrl.AbsoluteUri);
        await page.GetByTestId("server-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("servers-table")).ToContainTextAsync(serverName);

        // A route federating it shows the server's tools, named for the single target without a prefix.
        await page.GotoAsync(new Uri(platform.PortalUrl, "/tenants/demo/routes/new").AbsoluteUri);
        await WaitUntilInteractiveAsync(page);
        await Input(page, "route-name").FillAsync(routeName);
        await page.GetByTestId($"target-{serverName}").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = serverName })).ToBeCheckedAsync();
        await page.GetByTestId("route-submit").ClickAsync();

        var tools = page.GetByTestId("tools-table");
        await Assertions.Expect(tools).ToContainTextAsync("add_note");
        await Assertions.Expect(tools).ToContainTextAsync("search_notes");
        await Assertions.Expect(page.GetByTestId("route-endpoint")).ToHaveTextAsync(new Uri(platform.ProxyUrl, $"/demo/{routeName}").AbsoluteUri);

        // Once the proxy serves the route, the page lists through it, and the playground calls a tool through it.
        var tryIt = page.GetByTestId("try-add_note");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!await tryIt.IsVisibleAsync())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The route page never listed the route through the gateway.");
            await page.ReloadAsync();
            await WaitUntilInteractiveAsync(page);
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
        await page.GotoAsync(new Uri(platform.PortalUrl, "/tenants/demo/members").AbsoluteUri);
        await WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("members-table")).ToContainTextAsync("developer");
        await Assertions.Expect(page.GetByTestId("leave-tenant")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Invite a member")).ToHaveCountAsync(0);
    }

    /// <summary>Prerendered pages ignore input until their circuit connects.</summary>
    private static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync();

    /// <summary>The real input element, wherever the component put the test id.</summary>
    private static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;

    private static string ChromiumPath() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path))
        ?? throw new InvalidOperationException("Chromium is not installed: apt-get install -y chromium, or set CHROMIUM_PATH.");
}
