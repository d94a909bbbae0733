using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// Config as code in a real browser: the demo tenant's document read, a copy edited, its changes previewed field by
/// field (nothing written), applied, and a document with an error refused with the item named.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalConfigBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_PreviewsAndAppliesAnEditedCopyOfTheTenantsConfig()
    {
        var role = $"config-reader-{Guid.NewGuid().ToString("N")[..6]}";
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo", "admin", "admin");
        await page.GetByTestId("nav-config").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("config-current")).ToContainTextAsync("apiVersion: agentgateway.dev/v1");
        await Assertions.Expect(page.GetByTestId("config-current")).ToContainTextAsync("tenant: demo");

        // A copy of the current document with one more role: previewed, then applied.
        await page.GetByTestId("config-edit-current").ClickAsync();
        await Assertions.Expect(browser.Input("config-document")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("tenant: demo"));
        var document = await browser.Input("config-document").InputValueAsync();
        Assert.Contains("routes:", document, StringComparison.Ordinal);
        var added = $"roles:\n- name: {role}\n  rules:\n  - mcp.method == \"tools/list\"\n";
        var edited = document.Contains("roles: []\n", StringComparison.Ordinal)
            ? document.Replace("roles: []\n", added, StringComparison.Ordinal)
            : document.Replace("roles:\n", added, StringComparison.Ordinal);
        await browser.Input("config-document").FillAsync(edited);
        await page.GetByTestId("config-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"config-change-roles-{role}")).ToHaveTextAsync($"create roles/{role}");
        await Assertions.Expect(page.GetByTestId("config-summary")).ToContainTextAsync("nothing is written until you apply them");
        using var admin = await platform.CreateAdminApiClientAsync(Cancellation);
        Assert.DoesNotContain(await RoleNamesAsync(admin), name => name == role);

        // Pruning changes what applying does: the preview must be made again before Apply is offered.
        await page.GetByLabel("Prune: delete what a section of the document does not name").ClickAsync();
        await Assertions.Expect(page.GetByTestId("config-apply")).ToBeDisabledAsync();
        await page.GetByLabel("Prune: delete what a section of the document does not name").ClickAsync();
        await page.GetByTestId("config-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"config-change-roles-{role}")).ToHaveTextAsync($"create roles/{role}");

        await page.GetByTestId("config-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("config-summary")).ToContainTextAsync("Applied 1 change(s)");
        Assert.Contains(role, await RoleNamesAsync(admin));
        await Assertions.Expect(page.GetByTestId("config-current")).ToContainTextAsync(role);

        // A document from a file, with an error: refused, its item named, nothing written.
        await page.Locator("input.config-file-input").SetInputFilesAsync(new FilePayload
        {
            Name = "broken.yaml",
            MimeType = "application/yaml",
            Buffer = System.Text.Encoding.UTF8.GetBytes("roles:\n- name: broken\n  rules:\n  - 'mcp.method =='\n"),
        });
        await Assertions.Expect(browser.Input("config-document")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("name: broken"));
        await page.GetByTestId("config-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync("roles[0]");
        await Assertions.Expect(page.GetByTestId("config-apply")).ToBeDisabledAsync();
    }

    private static async Task<List<string>> RoleNamesAsync(HttpClient admin) =>
        [.. (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/tenants/demo/roles", Cancellation))!.Select(role => role.GetProperty("name").GetString()!)];
}
