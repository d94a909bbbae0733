using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.EndToEnd;
using AgentGateway.Tests.Proxy.Kinds.Llm;
using Microsoft.Playwright;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// A developer registers an A2A agent in the catalog and exposes it on a route, and creates an HTTP route over two
/// weighted destinations; an admin registers LLM providers with their keys and serves their models on an LLM route;
/// in a real browser against the whole platform. The upstreams are real Kestrel servers on loopback; every test uses
/// names of its own.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PortalRoutesBrowserTests(AppHostFixture platform)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Developer_RegistersAnAgent_ExposesItOnAnA2aRoute_AndCannotDeleteItWhileInUse()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var (agent, route) = ($"travel-{id}", $"travel-{id}");
        await using var upstream = await LoopbackUpstream.StartAsync("travel", Card($"Travel Agent {id}"));
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;

        // The catalog is in the menu; registering fetches the card, whose skills the agent's page shows.
        await browser.SignInAsync("/tenants/demo", "developer", "developer");
        await page.GetByTestId("nav-agents").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await browser.Input("agent-name").FillAsync(agent);
        await browser.Input("agent-url").FillAsync(upstream.Address.AbsoluteUri);
        await browser.Input("agent-description").FillAsync("books trips");
        await page.GetByTestId("agent-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("agent-card-name")).ToHaveTextAsync($"Travel Agent {id}");
        await Assertions.Expect(page.GetByTestId("agent-card-facts")).ToContainTextAsync("version 1.4.0");
        await Assertions.Expect(page.GetByTestId("agent-card-facts")).ToContainTextAsync("streaming yes");
        var skills = page.GetByTestId("agent-skills");
        await Assertions.Expect(skills).ToContainTextAsync("Book a trip");
        await Assertions.Expect(skills).ToContainTextAsync("Book a flight to Paris");
        await Assertions.Expect(page.GetByTestId("agent-routes")).ToHaveTextAsync("none yet");

        // The list shows the agent with its skills as chips.
        await browser.OpenAsync("/tenants/demo/agents");
        await Assertions.Expect(page.GetByTestId($"agent-skills-{agent}")).ToContainTextAsync("Book a trip");
        await Assertions.Expect(page.GetByTestId($"agent-skills-{agent}")).ToContainTextAsync("Check a booking");

        // An A2A route picks the agent from the catalog; its page shows the agent's skills and the gateway's card URL.
        await browser.OpenAsync($"/tenants/demo/agents/{agent}");
        await page.GetByTestId("agent-create-route").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("route-agent-summary")).ToContainTextAsync("Book a trip");
        await browser.Input("route-name").FillAsync(route);
        await page.GetByTestId("route-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("route-kind")).ToHaveTextAsync("A2A agent");
        var endpoint = new Uri(platform.ProxyUrl, $"/demo/{route}").AbsoluteUri;
        await Assertions.Expect(page.GetByTestId("route-endpoint")).ToHaveTextAsync(endpoint);
        await Assertions.Expect(page.GetByTestId("gateway-card-url")).ToHaveTextAsync($"{endpoint}/.well-known/agent-card.json");
        await Assertions.Expect(page.GetByTestId("a2a-backend")).ToContainTextAsync("Check a booking");
        await Assertions.Expect(page.GetByTestId("tools-table")).ToHaveCountAsync(0);

        // An agent a route exposes cannot be deleted: AdminApi's 409 names the route.
        await browser.OpenAsync("/tenants/demo/agents");
        await page.GetByTestId($"delete-agent-{agent}").ClickAsync();
        await browser.ConfirmAsync("Delete");
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync("Conflict");
        await Assertions.Expect(page.GetByTestId("problem")).ToContainTextAsync(route);
        await Assertions.Expect(page.GetByTestId("agents-table")).ToContainTextAsync(agent);
    }

    [Fact]
    public async Task Admin_RegistersABedrockProviderWithItsAwsCredentials_WhoseRequestsTheProxySigns()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var (bedrock, route, keyId, secretKey) = ($"bedrock-{id}", $"aws-{id}", $"aws-key-id-{id}", $"aws-secret-{id}");
        await using var providers = await AgentGateway.Tests.Proxy.Kinds.Llm.RecordedLlmProviders.StartAsync();
        using var admin = await platform.CreateAdminApiClientAsync(Cancellation);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/demo/secrets/{keyId}", new { value = AgentGateway.Tests.Proxy.Kinds.Llm.RecordedLlmProviders.AwsAccessKey }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/demo/secrets/{secretKey}", new { value = AgentGateway.Tests.Proxy.Kinds.Llm.RecordedLlmProviders.AwsSecretKey }, Cancellation)).EnsureSuccessStatusCode();

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/tenants/demo", "admin", "admin");
        await page.GetByTestId("nav-llm-providers").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await browser.Input("llm-provider-name").FillAsync(bedrock);
        await browser.SelectAsync("llm-provider-kind", "AWS Bedrock (Converse)");
        await browser.Input("llm-provider-url").FillAsync(providers.BedrockUrl.AbsoluteUri);
        // The recorded provider is on loopback, not at bedrock-runtime.{region}: the region is named.
        await browser.Input("llm-provider-region").FillAsync("us-east-1");
        await browser.SelectAsync("llm-provider-key", keyId);
        await browser.SelectAsync("llm-provider-secret-key", secretKey);
        await page.GetByTestId("llm-provider-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("llm-providers-table")).ToContainTextAsync("AWS Bedrock (Converse)");

        var policies = await admin.GetFromJsonAsync<JsonElement>("/api/v1/tenants/demo/policies", Cancellation);
        var items = policies.ValueKind == JsonValueKind.Array ? policies : policies.GetProperty("items");
        var credentials = items.EnumerateArray().Single(policy => policy.GetProperty("name").GetString() == $"{bedrock}-key").GetProperty("spec").GetProperty("awsSigv4");
        Assert.Equal(("us-east-1", "bedrock", keyId, secretKey), (credentials.GetProperty("region").GetString(), credentials.GetProperty("service").GetString(),
            credentials.GetProperty("accessKeyId").GetProperty("secretRef").GetString(), credentials.GetProperty("secretAccessKey").GetProperty("secretRef").GetString()));

        // A route over it: the fixture answers only requests signed with the key, so an answer is the proof.
        using (var created = await admin.PostAsJsonAsync("/api/v1/tenants/demo/routes", new
        {
            name = route,
            kind = "llm",
            providers = new[] { bedrock },
            models = new[] { new { name = "haiku", targets = new[] { new { provider = bedrock, model = "anthropic.claude-3-5-haiku-20241022-v1:0" } } } },
        }, Cancellation))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Cancellation));
        }

        using var http = new HttpClient();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.PostAsJsonAsync(new Uri(platform.ProxyUrl, $"/demo/{route}/v1/chat/completions"),
                new { model = "haiku", messages = new[] { new { role = "user", content = "Hello" } } }, Cancellation);
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            if (response.IsSuccessStatusCode)
            {
                Assert.Equal("Hello from Bedrock! How can I help you today?", (string?)JsonNode.Parse(body)!["choices"]![0]!["message"]!["content"]);
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"The gateway never served the Bedrock model: {(int)response.StatusCode} {body}");
            await Task.Delay(500, Cancellation);
        }
    }

    [Fact]
    public async Task Admin_RegistersLlmProvidersWithTheirKeys_AndServesTheirModelsOnAnLlmRoute()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var (openai, claude, route, secret) = ($"openai-{id}", $"claude-{id}", $"models-{id}", $"llm-key-{id}");
        await using var providers = await AgentGateway.Tests.Proxy.Kinds.Llm.RecordedLlmProviders.StartAsync();
        using (var admin = await platform.CreateAdminApiClientAsync(Cancellation))
        {
            (await admin.PutAsJsonAsync($"/api/v1/tenants/demo/secrets/{secret}", new { value = "sk-" + id }, Cancellation)).EnsureSuccessStatusCode();
        }

        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;

        // Two providers: an OpenAI-compatible one with its key attached as a policy, and an Anthropic one.
        await browser.SignInAsync("/tenants/demo", "admin", "admin");
        await page.GetByTestId("nav-llm-providers").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await browser.Input("llm-provider-name").FillAsync(openai);
        await browser.Input("llm-provider-url").FillAsync(providers.OpenAiUrl.AbsoluteUri);
        await browser.SelectAsync("llm-provider-key", secret);
        await page.GetByLabel("Serves the Responses API itself").ClickAsync();
        await page.GetByTestId("llm-provider-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"llm-provider-key-{openai}")).ToHaveTextAsync(secret);
        await Assertions.Expect(page.GetByTestId($"llm-provider-responses-{openai}")).ToContainTextAsync("native");

        // Switched back on its row: the gateway serves its Responses API on its Chat Completions again.
        await page.GetByTestId($"llm-provider-responses-{openai}").Locator("input").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"llm-provider-responses-{openai}")).ToContainTextAsync("translated");
        using (var admin = await platform.CreateAdminApiClientAsync(Cancellation))
        {
            var stored = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/demo/llm-providers/{openai}", Cancellation);
            Assert.False(stored.GetProperty("nativeResponses").GetBoolean());
        }

        // A URL AdminApi refuses is marked on its field.
        await browser.Input("llm-provider-name").FillAsync(claude);
        await browser.SelectAsync("llm-provider-kind", "Anthropic Messages");
        await browser.Input("llm-provider-url").FillAsync("api.anthropic.test");
        await page.GetByTestId("llm-provider-save").ClickAsync();
        await Assertions.Expect(browser.Field("llm-provider-url")).ToContainTextAsync("must be an absolute http or https URL");
        await browser.Input("llm-provider-url").FillAsync(providers.AnthropicUrl.AbsoluteUri);
        await page.GetByTestId("llm-provider-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("llm-providers-table")).ToContainTextAsync(claude);

        // An LLM route over both, with an alias for each.
        await browser.OpenAsync("/tenants/demo/routes/new");
        await browser.Input("route-name").FillAsync(route);
        await page.GetByText("LLM: one OpenAI- and Anthropic-compatible endpoint in front of LLM providers", new() { Exact = true }).ClickAsync();
        await page.GetByTestId($"route-provider-{openai}").ClickAsync();
        await page.GetByTestId($"route-provider-{claude}").ClickAsync();
        await page.GetByTestId("add-llm-model").ClickAsync();
        await browser.Input("llm-model-0-name").FillAsync("fast");
        await browser.Input("llm-model-0-target").FillAsync("gpt-4o-mini");
        await page.GetByTestId("add-llm-model").ClickAsync();
        await browser.Input("llm-model-1-name").FillAsync("careful");
        await browser.SelectAsync("llm-model-1-provider", claude);
        await browser.Input("llm-model-1-target").FillAsync("claude-sonnet-4-5-20250929");
        await page.GetByTestId("route-submit").ClickAsync();

        await Assertions.Expect(page.GetByTestId("route-kind")).ToHaveTextAsync("LLM");
        var endpoint = new Uri(platform.ProxyUrl, $"/demo/{route}").AbsoluteUri;
        await Assertions.Expect(page.GetByTestId("llm-openai-base-url")).ToHaveTextAsync($"{endpoint}/v1");
        await Assertions.Expect(page.GetByTestId("llm-model-careful")).ToContainTextAsync($"{claude} / claude-sonnet-4-5-20250929");

        // The proxy serves both aliases, with the OpenAI provider's key from the secret.
        using var http = new HttpClient();
        foreach (var (model, provider) in new[] { ("fast", "openai"), ("careful", "anthropic") })
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                using var response = await http.PostAsJsonAsync($"{endpoint}/v1/chat/completions",
                    new { model, messages = new[] { new { role = "user", content = "Hello" } } }, Cancellation);
                var body = await response.Content.ReadAsStringAsync(Cancellation);
                if (response.IsSuccessStatusCode)
                {
                    Assert.Equal("chat.completion", JsonNode.Parse(body)!["object"]!.GetValue<string>());
                    break;
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"The gateway never served '{model}': {(int)response.StatusCode} {body}");
                await Task.Delay(500, Cancellation);
            }

            Assert.Contains(providers.Requests, request => request.Provider == provider);
        }

        Assert.Equal("Bearer sk-" + id, providers.LastHeaders("openai")["authorization"]);
        Assert.Equal("claude-sonnet-4-5-20250929", (string?)providers.LastBody("anthropic")["model"]);

        // A virtual key: the route's fast model only, 60 requests a minute, 10 USD a month.
        var key = $"agent-{id}";
        await browser.OpenAsync("/tenants/demo/api-keys");
        await browser.Input("api-key-name").FillAsync(key);
        await browser.Input("api-key-llm-models").FillAsync("fast");
        await browser.Input("api-key-llm-rpm").FillAsync("60");
        await browser.Input("api-key-llm-budget-amount").FillAsync("10");
        await page.GetByTestId("api-key-save").ClickAsync();
        await page.GetByTestId("close-api-key").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"key-llm-{key}")).ToHaveTextAsync("fast · 60 requests/min · 0 of 10 USD this month");
        await page.GetByTestId($"edit-key-{key}").ClickAsync();
        await Assertions.Expect(browser.Input("api-key-llm-models")).ToHaveValueAsync("fast");
        await Assertions.Expect(browser.Input("api-key-llm-budget-amount")).ToHaveValueAsync("10");

        // The usage page shows the route's requests once the proxy has reported them, per provider.
        var reported = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(40);
        while (true)
        {
            await browser.OpenAsync("/tenants/demo/usage");
            if ((await page.GetByTestId("usage-records").TextContentAsync())?.Contains(route, StringComparison.Ordinal) == true)
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < reported, "the proxy's usage report to reach the usage page");
            await Task.Delay(1000, Cancellation);
        }

        await browser.SelectAsync("usage-group-by", "provider");
        await Assertions.Expect(page.GetByTestId($"usage-group-{openai}")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId($"usage-group-{claude}")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("usage-chart")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("usage-records")).ToContainTextAsync("claude-sonnet-4-5-20250929");
    }

    [Fact]
    public async Task PlatformAdmin_SetsAModelPrice_AndDevelopersReadIt()
    {
        var model = $"model-{Guid.NewGuid().ToString("N")[..6]}";
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;
        await browser.SignInAsync("/model-prices", "admin", "admin");
        await browser.Input("model-price-model").FillAsync(model);
        await browser.Input("model-price-input").FillAsync("0.4");
        await page.GetByTestId("model-price-save").ClickAsync();
        // The output price is missing: AdminApi's error is on its field.
        await Assertions.Expect(browser.Field("model-price-output")).ToContainTextAsync("is required");
        await browser.Input("model-price-output").FillAsync("1.6");
        await page.GetByTestId("model-price-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("model-prices-table").Locator("tr", new() { HasText = model })).ToContainTextAsync("1.6 USD");

        await using var other = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        await other.SignInAsync("/model-prices", "developer", "developer");
        await Assertions.Expect(other.Page.GetByTestId("model-prices-table")).ToContainTextAsync(model);
        await Assertions.Expect(other.Page.GetByTestId("model-price-form")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Developer_CreatesAnHttpRoute_OverWeightedDestinations_AndTheGatewayForwardsToThem()
    {
        var route = $"orders-{Guid.NewGuid().ToString("N")[..6]}";
        await using var primary = await LoopbackUpstream.StartAsync("primary", Card("unused"));
        await using var canary = await LoopbackUpstream.StartAsync("canary", Card("unused"));
        await using var browser = await PortalBrowser.LaunchAsync(platform.PortalUrl);
        var page = browser.Page;

        await browser.SignInAsync("/tenants/demo/routes/new", "developer", "developer");
        await browser.Input("route-name").FillAsync(route);
        await page.GetByText("HTTP: forwards to weighted destinations", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Path prefix" })).ToBeCheckedAsync();
        await browser.Input("route-methods").FillAsync("get, post");

        // A destination URL AdminApi refuses is marked on its field.
        await Assertions.Expect(browser.Input("destination-0-name")).ToHaveValueAsync("primary");
        await browser.Input("destination-0-url").FillAsync("orders.internal");
        await page.GetByTestId("route-submit").ClickAsync();
        await Assertions.Expect(browser.Field("destination-0-url")).ToContainTextAsync("must be an absolute http(s) URL");

        // Two destinations, weighted 3:1, with probes of both.
        await browser.Input("destination-0-url").FillAsync(primary.Address.AbsoluteUri);
        await browser.Input("destination-0-weight").FillAsync("3");
        await page.GetByTestId("add-destination").ClickAsync();
        await browser.Input("destination-1-name").FillAsync("canary");
        await browser.Input("destination-1-url").FillAsync(canary.Address.AbsoluteUri);
        await browser.Input("destination-1-weight").FillAsync("1");
        await browser.Input("route-methods").ClickAsync();
        await Assertions.Expect(page.GetByTestId("destination-0-share")).ToHaveTextAsync("75 %");
        await page.GetByTestId("route-active-health").ClickAsync();
        await browser.Input("health-path").FillAsync("/healthz");
        await page.GetByTestId("route-submit").ClickAsync();

        // The route's page: its kind, match and destinations.
        await Assertions.Expect(page.GetByTestId("route-kind")).ToHaveTextAsync("HTTP");
        var endpoint = new Uri(platform.ProxyUrl, $"/demo/{route}").AbsoluteUri;
        await Assertions.Expect(page.GetByTestId("route-endpoint")).ToHaveTextAsync(endpoint);
        await Assertions.Expect(page.GetByTestId("route-match")).ToContainTextAsync("methods GET, POST");
        var destinations = page.GetByTestId("destinations-table");
        await Assertions.Expect(destinations.Locator("tr", new() { HasText = "primary" })).ToContainTextAsync("75 %");
        await Assertions.Expect(destinations.Locator("tr", new() { HasText = "canary" })).ToContainTextAsync("25 %");
        await Assertions.Expect(page.GetByTestId("health-checks")).ToContainTextAsync("GET /healthz");

        // Editing keeps what the route has: the form comes back filled in.
        await page.GetByTestId("route-edit").ClickAsync();
        await PortalBrowser.WaitUntilInteractiveAsync(page);
        await Assertions.Expect(browser.Input("destination-1-url")).ToHaveValueAsync(canary.Address.AbsoluteUri);
        await browser.Input("route-methods").FillAsync("GET");
        await page.GetByTestId("route-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("route-match")).ToContainTextAsync("methods GET");
        await Assertions.Expect(page.GetByTestId("route-match")).Not.ToContainTextAsync("POST");

        // The proxy forwards the route's requests to the destinations.
        using var http = new HttpClient();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        string body;
        while (true)
        {
            using var response = await http.GetAsync($"{endpoint}/items", Cancellation);
            body = await response.Content.ReadAsStringAsync(Cancellation);
            if (response.IsSuccessStatusCode && body.StartsWith("hello from", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"The gateway never forwarded the route: {(int)response.StatusCode} {body}");
            await Task.Delay(500, Cancellation);
        }

        Assert.Contains($"/demo/{route}/items", body, StringComparison.Ordinal);
    }

    /// <summary>An A2A agent card with two skills.</summary>
    private static JsonObject Card(string name) => new()
    {
        ["name"] = name,
        ["description"] = "Plans and books trips.",
        ["url"] = "http://127.0.0.1/a2a",
        ["version"] = "1.4.0",
        ["protocolVersion"] = "0.3.0",
        ["capabilities"] = new JsonObject { ["streaming"] = true },
        ["defaultInputModes"] = new JsonArray("text/plain"),
        ["defaultOutputModes"] = new JsonArray("text/plain"),
        ["skills"] = new JsonArray(
            new JsonObject
            {
                ["id"] = "book",
                ["name"] = "Book a trip",
                ["description"] = "Books flights and hotels.",
                ["tags"] = new JsonArray("travel", "booking"),
                ["examples"] = new JsonArray("Book a flight to Paris"),
            },
            new JsonObject { ["id"] = "status", ["name"] = "Check a booking", ["tags"] = new JsonArray("travel") }),
    };
}
