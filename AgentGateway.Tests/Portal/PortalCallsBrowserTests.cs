using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Portal.Components.Shared;
using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// The calls page in a real browser: LLM requests sent through the platform's proxy show up in the tenant's call
/// records and analytics (reported by the proxy, stored by AdminApi), searchable by model, with a refused request's
/// details; filtered by time, kind, operation and outcome, charted per model, one call opened on its page with its
/// trace linked; and the tenant's choice to record tool arguments is made there.
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
        await Assertions.Expect(page.GetByTestId("call-field-error")).ToContainTextAsync("guard");
    }

    [Fact]
    public async Task Calls_FilteredByTimeKindAndOperation_AreChartedPerModel_AndOneOpensOnItsPageWithItsTrace()
    {
        using var api = await platform.CreateAdminApiClientAsync(Cancellation);
        using var http = new HttpClient { BaseAddress = platform.ProxyUrl };
        var model = "reverse";
        using (var response = await http.PostAsJsonAsync("/demo/models/v1/chat/completions",
            new { model, messages = new[] { new { role = "user", content = "Pay with 4111 1111 1111 1111" } } }, Cancellation))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }

        // The proxy reports every few seconds.
        JsonElement[] found;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while ((found = (await api.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/demo/calls?target={model}&outcome=refused&limit=1", Cancellation))!).Length == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The refused call was not stored");
            await Task.Delay(1000, Cancellation);
        }

        var refused = found[0];
        var (id, operation, traceId) = (refused.GetProperty("id").GetGuid(), refused.GetProperty("operation").GetString()!, refused.GetProperty("traceId").GetString());

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/calls", "admin", "admin");

        // Kind, operation and an hour around now: the LLM calls, charted per model with their errors, latency and tokens.
        await browser.SelectAsync("calls-period", "From … to …");
        var now = DateTimeOffset.UtcNow;
        await browser.Input("calls-filter-from").FillAsync(UtcTime.Format(now.AddHours(-1)));
        await browser.Input("calls-filter-to").FillAsync(UtcTime.Format(now.AddHours(1)));
        await browser.SelectAsync("calls-filter-kind", "llm");
        await browser.Input("calls-filter-operation").FillAsync(operation);
        await browser.SelectAsync("calls-filter-outcome", "refused");
        await page.GetByTestId("calls-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calls-row-call").First).ToContainTextAsync(operation);
        await Assertions.Expect(page.GetByTestId("calls-table")).Not.ToContainTextAsync("tools/call");
        await Assertions.Expect(page.GetByTestId("calls-table")).Not.ToContainTextAsync("echo");
        await browser.SelectAsync("calls-group-by", "model (LLM calls)");
        await Assertions.Expect(page.GetByTestId($"calls-group-{model}")).ToBeVisibleAsync();
        foreach (var chart in new[] { "calls-chart", "calls-errors-chart", "calls-p50-chart", "calls-p99-chart", "calls-tokens-chart" })
        {
            await Assertions.Expect(page.GetByTestId(chart)).ToBeVisibleAsync();
        }

        // A period that holds none of them lists none.
        await browser.Input("calls-filter-from").FillAsync(UtcTime.Format(now.AddHours(1)));
        await browser.Input("calls-filter-to").FillAsync(UtcTime.Format(now.AddHours(2)));
        await page.GetByTestId("calls-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calls-table")).ToContainTextAsync("No calls recorded match.");
        await Assertions.Expect(page.GetByTestId("calls-empty")).ToBeVisibleAsync();

        // One call on its page: every field, and its trace id linked to the trace viewer.
        await browser.OpenAsync($"/tenants/demo/calls/{id}");
        await Assertions.Expect(page.GetByTestId("call-field-id")).ToHaveTextAsync(id.ToString());
        await Assertions.Expect(page.GetByTestId("call-field-kind")).ToHaveTextAsync("llm");
        await Assertions.Expect(page.GetByTestId("call-field-operation")).ToHaveTextAsync(operation);
        await Assertions.Expect(page.GetByTestId("call-field-target")).ToHaveTextAsync(model);
        await Assertions.Expect(page.GetByTestId("call-field-outcome")).ToContainTextAsync("refused");
        await Assertions.Expect(page.GetByTestId("call-field-error")).ToContainTextAsync("guard");
        // No provider answered and the client's name for the model has no price.
        await Assertions.Expect(page.GetByTestId("call-field-cost")).ToContainTextAsync("unpriced");
        if (traceId is null)
        {
            // The fixture's services record no traces (they have no OTLP endpoint): nothing to link.
            await Assertions.Expect(page.GetByTestId("call-field-traceId")).ToHaveTextAsync("–");
            await Assertions.Expect(page.GetByTestId("call-trace-link")).ToHaveCountAsync(0);
        }
        else
        {
            await Assertions.Expect(page.GetByTestId("call-trace-link")).ToHaveAttributeAsync("href", AppHostFixture.TraceUrlTemplate.Replace("{traceId}", traceId, StringComparison.Ordinal));
        }

        await Assertions.Expect(page.GetByTestId("call-no-arguments")).ToBeVisibleAsync();
        await page.GetByTestId("call-back").ClickAsync();
        await Assertions.Expect(page.GetByTestId("calls-table")).ToBeVisibleAsync();
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
