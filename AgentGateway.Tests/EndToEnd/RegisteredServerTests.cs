using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AgentGateway.Tests.Fixtures;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.EndToEnd;

/// <summary>A third-party MCP server registered through the REST API is callable through the proxy within 2 s.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class RegisteredServerTests(AppHostFixture platform)
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ServerEverything_RegisteredThroughRestApi_IsCallableThroughTheProxyWithinTwoSeconds()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var everything = await NodeMcpServer.StartEverythingAsync(cancellationToken);
        using var api = await platform.CreateAdminApiClientAsync(cancellationToken);
        var tenant = "npm-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, displayName = tenant }, cancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers",
            new { name = "everything", transport = "streamable-http", url = everything.Endpoint }, cancellationToken)).StatusCode);

        using var created = await api.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes",
            new { name = "mcp", targets = new[] { "everything" }, prefixMode = "always" }, cancellationToken);
        var committed = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var endpoint = new Uri(platform.ProxyUrl, $"/{tenant}/mcp");
        string? echoed = null;
        Exception? lastError = null;
        while (echoed is null && committed.Elapsed < s_budget + TimeSpan.FromSeconds(10))
        {
            try
            {
                await using var client = await McpClient.CreateAsync(
                    new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
                    cancellationToken: cancellationToken);
                var result = await client.CallToolAsync("everything_echo", new Dictionary<string, object?> { ["message"] = "through the gateway" }, cancellationToken: cancellationToken);
                echoed = string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Until the route reaches the proxy its path answers 404.
                lastError = exception;
                await Task.Delay(50, cancellationToken);
            }
        }

        var elapsed = committed.Elapsed;
        Assert.True(echoed is not null, $"everything_echo never answered through the proxy: {lastError?.Message}");
        Assert.Contains("through the gateway", echoed, StringComparison.Ordinal);
        Assert.True(elapsed < s_budget, $"The registered server became callable after {elapsed.TotalMilliseconds:F0} ms.");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), cancellationToken)).StatusCode);
    }
}
