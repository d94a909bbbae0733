using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// The calls page in a real browser: LLM requests sent through the platform's proxy show up in the tenant's call
/// records and analytics (reported by the proxy, stored by AdminApi), searchable by model, with a refused request's
/// details; and the tenant's choice to record tool arguments is made there.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalCallsBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallsThroughTheProxy_AreListedAndCharted_AndOneIsFoundByItsModel()
    {
        using var http = new HttpClient { BaseAddress = platform.ProxyUrl };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.PostAsJsonAsync("/demo/models/v1/chat/completions",
                new { model = "echo", messages = new[] { new { role = "user", content = "counted" } } }, Cancellation);
            if (response.IsSuccessStatusCode)
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the demo LLM route: {(int)response.StatusCode}");
            await Task.Delay(500, Cancellation);
        }

        // A guard refuses this one: a card number in the prompt.
        using (var refused = await http.PostAsJsonAsync("/demo/models/v1/chat/completions",
            new { model = "reverse", messages = new[] { new { role = "user", content = "Pay with 4111 1111 1111 1111" } } }, Cancellation))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        }

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/calls", "admin", "admin");

        // The proxy reports every few seconds: the page shows the calls once they are stored.
        var seen = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await page.GetByTestId("calls-table").InnerTextAsync()).Contains("reverse", StringComparison.Ordinal))
        {
            Assert.True(DateTimeOffset.UtcNow < seen, "The calls were not listed");
            await Task.Delay(1000, Cancellation);
            await browser.OpenAsync("/tenants/demo/calls");
        }

        await Assertions.Expect(page.GetByTestId("calls-chart")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("calls-groups")).ToContainTextAsync("models");
        Assert.NotEqual("0", await page.GetByTestId("calls-total").InnerTextAsync());

        await browser.Input("calls-filter-target").FillAsync("reverse");
        await page.GetByTestId("calls-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calls-row-outcome").First).ToContainTextAsync("refused");
        await Assertions.Expect(page.GetByTestId("calls-table")).Not.ToContainTextAsync("echo");
        await page.GetByText("Details").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("calls-detail")).ToContainTextAsync("guard");
    }

    [Fact]
    public async Task RecordingToolArguments_IsTheTenantsChoice_MadeOnTheCallsPage()
    {
        using var api = await platform.CreateAdminApiClientAsync(Cancellation);
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/calls", "admin", "admin");
        var toggle = page.GetByLabel("Record tool arguments (secret-looking keys redacted)");
        await Assertions.Expect(toggle).Not.ToBeCheckedAsync();

        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToBeCheckedAsync();
        await WaitForSettingAsync(api, true);
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);

        await toggle.ClickAsync();
        await Assertions.Expect(toggle).Not.ToBeCheckedAsync();
        await WaitForSettingAsync(api, false);
    }

    /// <summary>Waits until the tenant's stored setting is <paramref name="expected"/> (the switch moves before its request ends).</summary>
    private static async Task WaitForSettingAsync(HttpClient api, bool expected)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while ((await api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/demo", Cancellation)).GetProperty("auditArguments").GetBoolean() != expected)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The tenant's auditArguments did not become {expected}");
            await Task.Delay(200, Cancellation);
        }
    }
}
