using System.Text.Json.Nodes;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>A developer imports an MCP server from its registry description in the Portal: previewed, then registered.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalMcpImportBrowserTests(AppHostFixture platform)
{
    [Fact]
    public async Task Developer_PreviewsAServerJson_FillsWhatItAsksFor_AndImportsIt()
    {
        var name = "imported-" + Guid.NewGuid().ToString("N")[..6];
        var description = new JsonObject
        {
            ["name"] = $"io.github.acme/{name}",
            ["description"] = "Notes, from the registry",
            ["remotes"] = new JsonArray(new JsonObject
            {
                ["type"] = "streamable-http",
                ["url"] = $"http://localhost:{{port}}{platform.NotesMcpUrl.AbsolutePath}",
                ["variables"] = new JsonObject { ["port"] = new JsonObject { ["isRequired"] = true } },
            }),
        };
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/mcp-servers", "developer", "developer");
        await page.GetByTestId("import-server").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);

        // The description's URL has a variable no value was given for: AdminApi names it.
        await browser.Input("import-document").FillAsync(description.ToJsonString());
        await page.GetByTestId("import-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync("variables.port");

        await browser.Input("import-values").FillAsync($"port={platform.NotesMcpUrl.Port}");
        await page.GetByTestId("import-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-plan-name")).ToHaveTextAsync(name);
        await Assertions.Expect(page.GetByTestId("import-plan-url")).ToHaveTextAsync(platform.NotesMcpUrl.AbsoluteUri);

        await page.GetByTestId("import-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("servers-table")).ToContainTextAsync(name);
        await Assertions.Expect(page.GetByTestId("servers-table")).ToContainTextAsync("Notes, from the registry");
    }
}
