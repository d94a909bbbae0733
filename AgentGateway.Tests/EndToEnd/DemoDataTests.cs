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
}
