using AgentGateway.Tests.EndToEnd;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>A developer chats with an LLM route's models in the Portal's playground, through the gateway and its guards.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalLlmPlaygroundBrowserTests(AppHostFixture platform)
{
    [Fact]
    public async Task Developer_ChatsWithARoutesModel_AndSeesTheAnswerItsTokens_AndAGuardsRefusal()
    {
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo/routes/models", "developer", "developer");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Playground" }).ClickAsync();

        // The models are the route's, as the gateway lists them to its clients (the first is chosen once they are in).
        await Assertions.Expect(page.GetByTestId("llm-playground-send")).ToBeEnabledAsync();
        await browser.SelectAsync("llm-playground-model", "reverse");
        await browser.Input("llm-playground-message").FillAsync("hello gateway world");
        await page.GetByTestId("llm-playground-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("llm-playground-answer")).ToHaveTextAsync("world gateway hello");
        await Assertions.Expect(page.GetByTestId("llm-playground-usage")).ToContainTextAsync("tokens in");
        await Assertions.Expect(page.GetByTestId("llm-playground-usage")).ToContainTextAsync("demo-reverse");

        // The route's guards apply to the playground as to any client: a card number is refused, in the gateway's words.
        await browser.Input("llm-playground-message").FillAsync("Pay with 4111 1111 1111 1111");
        await page.GetByTestId("llm-playground-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("llm-playground-error")).ToContainTextAsync("400");
        await Assertions.Expect(page.GetByTestId("llm-playground-answer")).ToHaveCountAsync(0);
    }
}
