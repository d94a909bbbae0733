using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class GatewayEndToEndTests(AppHostFixture platform)
{
    private static readonly TimeSpan s_propagationBudget = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task RouteFromAdminApi_IsServedByProxy_FollowsChanges_AndSurvivesAdminApiOutage()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var api = await platform.CreateAdminApiClientAsync(cancellationToken);
        var tenant = "e2e-" + Guid.NewGuid().ToString("N")[..10];

        // A tenant with one registered sample server and a route federating it (always prefixed).
        await PostAsync(api, "/api/v1/tenants", new { name = tenant, displayName = "End-to-end " + tenant }, cancellationToken);
        await PostAsync(api, $"/api/v1/tenants/{tenant}/mcp-servers",
            new { name = "utils", description = "utils sample", transport = "streamable-http", url = platform.UtilsMcpUrl }, cancellationToken);
        using var created = await PostAsync(api, $"/api/v1/tenants/{tenant}/routes",
            new { name = "mcp", targets = new[] { "utils" }, prefixMode = "always" }, cancellationToken);
        var route = await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var endpoint = new Uri(route.GetProperty("endpoint").GetString()!);
        Assert.Equal(new Uri(platform.ProxyUrl, $"/{tenant}/mcp"), endpoint);
        var etag = created.Headers.ETag ?? await GetETagAsync(api, $"/api/v1/tenants/{tenant}/routes/mcp", cancellationToken);

        // The proxy gets the route over xDS (it may still be backing off from starting before AdminApi).
        var tools = await WaitForToolsAsync(endpoint, names => names.Contains("utils_echo"), TimeSpan.FromSeconds(60), cancellationToken);
        Assert.All(tools, name => Assert.StartsWith("utils_", name, StringComparison.Ordinal));
        Assert.Equal("through the gateway", await CallTextAsync(endpoint, "utils_echo", new() { ["message"] = "through the gateway" }, cancellationToken));

        // A second server added to the route reaches the proxy within the propagation budget.
        await PostAsync(api, $"/api/v1/tenants/{tenant}/mcp-servers",
            new { name = "notes", transport = "streamable-http", url = platform.NotesMcpUrl }, cancellationToken);
        using (var update = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/tenants/{tenant}/routes/mcp")
        {
            Content = JsonContent.Create(new { targets = new[] { "utils", "notes" }, prefixMode = "always" }),
        })
        {
            update.Headers.IfMatch.Add(etag);
            using var updated = await api.SendAsync(update, cancellationToken);
            Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync(cancellationToken));
        }

        var stopwatch = Stopwatch.StartNew();
        tools = await WaitForToolsAsync(endpoint, names => names.Contains("notes_add_note"), TimeSpan.FromSeconds(15), cancellationToken);
        var propagation = stopwatch.Elapsed;
        Assert.True(propagation < s_propagationBudget, $"The route change took {propagation.TotalMilliseconds:F0} ms to reach the proxy.");
        Assert.Contains("utils_echo", tools);
        var note = await CallTextAsync(endpoint, "notes_add_note", new() { ["title"] = "e2e", ["content"] = tenant }, cancellationToken);
        Assert.Contains(tenant, note, StringComparison.Ordinal);

        // With AdminApi down the proxy keeps serving its last good configuration.
        var stop = await platform.App.ResourceCommands.ExecuteCommandAsync("adminapi", KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(stop.Success, stop.Message);
        try
        {
            await WaitUntilDownAsync(platform.AdminApiUrl, TimeSpan.FromSeconds(30), cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

            tools = await ListToolsAsync(endpoint, cancellationToken);
            Assert.Contains("utils_echo", tools);
            Assert.Contains("notes_add_note", tools);
            Assert.Equal("still here", await CallTextAsync(endpoint, "utils_echo", new() { ["message"] = "still here" }, cancellationToken));
        }
        finally
        {
            var start = await platform.App.ResourceCommands.ExecuteCommandAsync("adminapi", KnownResourceCommands.StartCommand, CancellationToken.None);
            Assert.True(start.Success, start.Message);
            await WaitUntilUpAsync(platform.AdminApiUrl, TimeSpan.FromSeconds(90), CancellationToken.None);
        }

        using var refreshed = await platform.CreateAdminApiClientAsync(cancellationToken);
        using var deleted = await refreshed.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), cancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private static async Task<System.Net.Http.Headers.EntityTagHeaderValue> GetETagAsync(HttpClient api, string path, CancellationToken cancellationToken)
    {
        using var response = await api.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag ?? throw new InvalidOperationException($"GET {path} returned no ETag.");
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient api, string path, object body, CancellationToken cancellationToken)
    {
        var response = await api.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created,
            $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return response;
    }

    private static async Task<McpClient> ConnectAsync(Uri endpoint, CancellationToken cancellationToken) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp }),
            cancellationToken: cancellationToken);

    private static async Task<List<string>> ListToolsAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(endpoint, cancellationToken);
        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        return [.. tools.Select(t => t.Name)];
    }

    /// <summary>Polls the route with fresh MCP sessions until its tools satisfy <paramref name="condition"/>.</summary>
    private static async Task<List<string>> WaitForToolsAsync(
        Uri endpoint, Func<List<string>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        Exception? lastError = null;
        List<string>? lastTools = null;
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                lastTools = await ListToolsAsync(endpoint, attempt.Token);
                if (condition(lastTools))
                {
                    return lastTools;
                }
            }
            // Before the route reaches the proxy it answers 404, which the client reports in several ways.
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = exception;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException(
            $"The proxy did not serve the expected tools at {endpoint} within {timeout}. Last tools: [{string.Join(", ", lastTools ?? [])}]; last error: {lastError?.Message}");
    }

    private static async Task<string> CallTextAsync(
        Uri endpoint, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(endpoint, cancellationToken);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        Assert.True(result.IsError is not true, text);
        return text;
    }

    private static async Task WaitUntilUpAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first request.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"AdminApi at {baseAddress} did not come back within {timeout} after the start command.");
    }

    private static async Task WaitUntilDownAsync(Uri baseAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
            }
            catch (HttpRequestException)
            {
                return;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"AdminApi at {baseAddress} still answers {timeout} after the stop command.");
    }
}
