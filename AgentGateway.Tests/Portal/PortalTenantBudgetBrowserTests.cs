using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>A platform admin sets a tenant's LLM budget on its usage page; its members see it with what was used.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalTenantBudgetBrowserTests(AppHostFixture platform)
{
    [Fact]
    public async Task APlatformAdmin_SetsATokenBudgetOverARollingWindow_AndADeveloperSeesIt_ButCannotChangeIt()
    {
        await using (var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl))
        {
            var page = browser.Page;
            await browser.SignInAsync("/tenants/demo/usage", "admin", "admin");

            // A budget of nothing is AdminApi's 400, shown on the field.
            await page.GetByTestId("tenant-budget-save").ClickAsync();
            await Assertions.Expect(page.GetByTestId("tenant-budget")).ToContainTextAsync("llmBudget.amount");

            // Large enough that nothing else the suite does on the demo tenant is refused.
            await browser.Input("tenant-budget-tokens").FillAsync("900000000");
            await browser.SelectAsync("tenant-budget-period", "rolling window");
            await browser.Input("tenant-budget-window").FillAsync("6");
            await page.GetByTestId("tenant-budget-save").ClickAsync();
            await Assertions.Expect(page.GetByTestId("tenant-budget-state")).ToContainTextAsync("of 900000000 tokens in the last 6 hours");
        }

        await using (var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl))
        {
            var page = browser.Page;
            await browser.SignInAsync("/tenants/demo/usage", "developer", "developer");
            await Assertions.Expect(page.GetByTestId("tenant-budget-state")).ToContainTextAsync("of 900000000 tokens in the last 6 hours");
            await Assertions.Expect(page.GetByTestId("tenant-budget-save")).ToHaveCountAsync(0);
        }

        await using (var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl))
        {
            var page = browser.Page;
            await browser.SignInAsync("/tenants/demo/usage", "admin", "admin");
            await page.GetByTestId("tenant-budget-remove").ClickAsync();
            await Assertions.Expect(page.GetByTestId("tenant-budget-state")).ToContainTextAsync("None");
        }
    }
}
