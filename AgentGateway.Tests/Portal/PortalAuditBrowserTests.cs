using System.Net.Http.Json;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// The audit log page in a real browser: changes made through AdminApi are found by who made them, the resource's
/// type and name, the action and the time, and each change shows its values before and after as a diff.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalAuditBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changes_AreFoundByActorTypeNameActionAndTime_AndShownAsADiff()
    {
        var server = "audited-" + Guid.NewGuid().ToString("N")[..6];
        using var api = await platform.CreateAdminApiClientAsync(Cancellation);
        var servers = "/api/v1/tenants/demo/mcp-servers";
        (await api.PostAsJsonAsync(servers, new { name = server, transport = "streamable-http", url = platform.NotesMcpUrl, description = "first" }, Cancellation)).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"{servers}/{server}", new { transport = "streamable-http", url = platform.NotesMcpUrl, description = "second" }, Cancellation)).EnsureSuccessStatusCode();

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/audit", "admin", "admin");
        await Assertions.Expect(page.GetByTestId("audit-table")).ToContainTextAsync(server);

        // By name, type, who and action: the update alone.
        await browser.Input("audit-filter-resource").FillAsync(server);
        await browser.SelectAsync("audit-filter-type", "mcp-server");
        await browser.Input("audit-filter-actor").FillAsync("admin");
        await browser.SelectAsync("audit-filter-action", "updated");
        await page.GetByTestId("audit-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-row-what")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("audit-row-what")).ToContainTextAsync($"updated mcp-server {server}");
        await Assertions.Expect(page.GetByTestId("audit-row-actor")).ToHaveTextAsync("admin");

        // Its change as a diff: the description's line removed and added.
        await page.GetByTestId("audit-row-changes").ClickAsync();
        var diff = page.GetByTestId("audit-diff");
        await Assertions.Expect(diff.Locator("tr[data-kind='removed']", new() { HasText = "\"description\": \"first\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator("tr[data-kind='added']", new() { HasText = "\"description\": \"second\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(diff.Locator("tr[data-kind='added']", new() { HasText = "\"url\"" })).ToHaveCountAsync(0);

        // Someone else, or a time before the change: nothing.
        await browser.Input("audit-filter-actor").FillAsync("developer");
        await page.GetByTestId("audit-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-table")).ToContainTextAsync("No changes recorded match.");
        await browser.Input("audit-filter-actor").FillAsync("admin");
        await browser.Input("audit-filter-to").FillAsync(AgentGateway.Portal.Components.Shared.UtcTime.Format(DateTimeOffset.UtcNow.AddHours(-1)));
        await page.GetByTestId("audit-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-table")).ToContainTextAsync("No changes recorded match.");
        await browser.Input("audit-filter-to").FillAsync(AgentGateway.Portal.Components.Shared.UtcTime.Format(DateTimeOffset.UtcNow.AddHours(1)));
        await page.GetByTestId("audit-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-row-what")).ToHaveCountAsync(1);
    }
}
