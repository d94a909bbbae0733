using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>Debian's Chromium driven by Playwright, signed in to the Portal, and what the browser tests do with its pages.</summary>
internal sealed class PortalBrowser : IAsyncDisposable
{
    private static readonly string[] s_chromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _portal;

    private PortalBrowser(IPlaywright playwright, IBrowser browser, IPage page, Uri portal)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _portal = portal;
    }

    public IPage Page { get; }

    public static async Task<PortalBrowser> LaunchAsync(Uri portal)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath(),
                Headless = true,
                Args = s_chromiumArgs,
            });
            var page = await browser.NewPageAsync();
            page.SetDefaultTimeout(30_000);
            // A page waits on AdminApi and the circuit; on a loaded two-core machine that can exceed Playwright's 5 s.
            Assertions.SetDefaultExpectTimeout(15_000);
            return new PortalBrowser(playwright, browser, page, portal);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>Opens <paramref name="path"/> anonymously, signs in at the issuer's login page, and waits to be back there.</summary>
    public async Task SignInAsync(string path, string username, string password)
    {
        await Page.GotoAsync(new Uri(_portal, path).AbsoluteUri);
        await Page.Locator("#username").FillAsync(username);
        await Page.Locator("#password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByTestId("user-name")).ToHaveTextAsync(username);
        await WaitUntilInteractiveAsync(Page);
    }

    /// <summary>Opens a page of the Portal and waits until it responds to input.</summary>
    public async Task OpenAsync(string path)
    {
        await Page.GotoAsync(new Uri(_portal, path).AbsoluteUri);
        await WaitUntilInteractiveAsync(Page);
    }

    /// <summary>The real input element, wherever the component put the test id.</summary>
    public ILocator Input(string testId) => Input(Page, testId);

    /// <summary>Picks <paramref name="option"/> in the select marked <paramref name="testId"/>.</summary>
    public async Task SelectAsync(string testId, string option)
    {
        await Page.GetByTestId(testId).First.ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item")
            .Filter(new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(option)}\\s*$") })
            .First.ClickAsync();
        await Assertions.Expect(Page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>Answers the open confirmation dialog with <paramref name="button"/>.</summary>
    public Task ConfirmAsync(string button) =>
        Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();

    /// <summary>Prerendered pages ignore input until their circuit connects.</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync();

    public static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input").First;

    /// <summary>The input's MudBlazor field, whose helper line shows the field's error.</summary>
    public ILocator Field(string testId) =>
        Page.Locator($".mud-input-control:has(input[data-testid='{testId}'], textarea[data-testid='{testId}'])").First;

    private static string ChromiumPath() =>
        new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path))
        ?? throw new InvalidOperationException("Chromium is not installed: apt-get install -y chromium, or set CHROMIUM_PATH.");
}
