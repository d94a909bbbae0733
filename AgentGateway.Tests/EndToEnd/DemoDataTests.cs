using System.Net.Http.Json;
using System.Text.Json;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>The demo data the AppHost seeds on the first start.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class DemoDataTests(AppHostFixture platform)
{
    [Fact]
    public async Task TheDemoTenant_HasAnHttpRouteToTheNotesRestApi_WithItsRewriteAndHeaderPolicies()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var api = await platform.CreateAdminApiClientAsync(cancellationToken);

        var route = await api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/demo/routes/notes-api", cancellationToken);
        Assert.Equal("http", route.GetProperty("kind").GetString());
        Assert.Equal("/demo/notes-api", route.GetProperty("pathPrefix").GetString());
        var destination = new Uri(route.GetProperty("destinations").EnumerateArray().Single().GetProperty("url").GetString()!);
        Assert.Equal(platform.NotesMcpUrl.Port, destination.Port);

        var effective = await api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/demo/routes/notes-api/effective-policies", cancellationToken);
        var parts = effective.GetProperty("policies").EnumerateArray().ToDictionary(part => part.GetProperty("kind").GetString()!, part => part.GetProperty("spec"));
        Assert.Equal("/api/notes", parts["url-rewrite"].GetProperty("replacePrefixMatch").GetString());
        Assert.Equal("X-Served-By", parts["response-headers"].GetProperty("set")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task TheDemoTenant_HasAnLlmRouteInFrontOfTheSampleModels_WhoseGuardsMaskPersonalData()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var api = await platform.CreateAdminApiClientAsync(cancellationToken);
        var route = await api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/demo/routes/models", cancellationToken);
        Assert.Equal(("llm", "models"), (route.GetProperty("kind").GetString(), route.GetProperty("providers")[0].GetString()));
        var prices = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/model-prices", cancellationToken);
        Assert.Contains(prices!, price => price.GetProperty("model").GetString() == "demo-echo");

        // The sample model says back what it was told: after the gateway masked the e-mail address.
        using var http = new HttpClient { BaseAddress = platform.ProxyUrl };
        JsonElement answer = default;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await http.PostAsJsonAsync("/demo/models/v1/chat/completions",
                new { model = "echo", messages = new[] { new { role = "user", content = "Write to ana@example.com" } } }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the demo LLM route: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            await Task.Delay(500, cancellationToken);
        }

        Assert.Equal("You said: Write to [EMAIL]", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.True(answer.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);

        using var card = await http.PostAsJsonAsync("/demo/models/v1/chat/completions",
            new { model = "reverse", messages = new[] { new { role = "user", content = "Pay with 4111 1111 1111 1111" } } }, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, card.StatusCode);
    }
}
