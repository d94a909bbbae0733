using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>A third-party MCP server registered through the REST API is served by the proxy within 2 s.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class RegisteredServerTests(AppHostFixture platform)
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ServerEverything_RegisteredThroughRestApi_IsServedByTheProxyWithinTwoSeconds()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var everything = await NodeMcpServer.StartEverythingAsync(cancellationToken);
        using var api = await platform.CreateAdminApiClientAsync(cancellationToken);
        var tenant = "npm-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, displayName = tenant }, cancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers",
            new { name = "everything", transport = "streamable-http", url = everything.Endpoint }, cancellationToken)).StatusCode);

        // The budget is for a proxy that is connected (an earlier test may have restarted AdminApi).
        await WaitForConnectedProxyAsync(api, cancellationToken);
        using var created = await api.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes",
            new { name = "mcp", targets = new[] { "everything" }, prefixMode = "always" }, cancellationToken);
        var committed = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The route reaches the proxy (its path stops answering 404) within the budget...
        var endpoint = new Uri(platform.ProxyUrl, $"/{tenant}/mcp");
        using var probe = new HttpClient();
        while (committed.Elapsed < s_budget + TimeSpan.FromSeconds(10))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            using var response = await probe.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                break;
            }

            await Task.Delay(20, cancellationToken);
        }

        var propagation = committed.Elapsed;
        Assert.True(propagation < s_budget, $"The new route reached the proxy after {propagation.TotalMilliseconds:F0} ms.");

        // ...and the registered server's tools are callable through it, prefixed with its name.
        await using var client = await SampleServerFixture.ConnectAsync(endpoint, cancellationToken);
        Assert.Contains("everything_echo", (await client.ListToolsAsync(cancellationToken: cancellationToken)).Select(tool => tool.Name));
        var result = await client.CallToolAsync("everything_echo", new Dictionary<string, object?> { ["message"] = "through the gateway" }, cancellationToken: cancellationToken);
        Assert.Contains("through the gateway", string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), cancellationToken)).StatusCode);
    }

    private static async Task WaitForConnectedProxyAsync(HttpClient api, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var proxies = await api.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/v1/proxies", cancellationToken) ?? [];
            if (proxies.Any(proxy => proxy.GetProperty("ackedVersion").ValueKind == System.Text.Json.JsonValueKind.String))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        Assert.Fail("No proxy connected to AdminApi within 60 s.");
    }
}
