using System.Diagnostics;
using System.Net;

namespace AgentGateway.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class AppHostStartupTests(AppHostFixture platform)
{
    [Fact]
    public async Task AppHost_StartsEveryServiceOnItsConfiguredPort()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        foreach (var port in new[] { platform.IdentityPort, platform.UtilsPort, platform.NotesPort, platform.AdminApiPort, platform.ProxyPort })
        {
            using var response = await http.GetAsync(new Uri($"http://localhost:{port}/healthz"), cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var discovery = await http.GetStringAsync(
            new Uri($"http://localhost:{platform.IdentityPort}/realms/agentgateway/.well-known/openid-configuration"), cancellationToken);
        Assert.Contains($"\"issuer\": \"http://localhost:{platform.IdentityPort}/realms/agentgateway\"", discovery, StringComparison.Ordinal);

        var token = await platform.GetAdminTokenAsync(cancellationToken);
        Assert.False(string.IsNullOrEmpty(token));
    }

    [Fact]
    public async Task TheProxyAndAdminApi_ServePrometheusMetrics_OnTheirManagementPorts()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var proxied = await http.GetAsync(new Uri(platform.ProxyUrl, "/healthz"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        }

        // The proxy is ready once it holds a config; its count of updates may reach the scrape a moment later.
        var proxyMetrics = new Uri($"http://localhost:{platform.ProxyManagementPort}/metrics");
        var proxy = await http.GetStringAsync(proxyMetrics, cancellationToken);
        for (var wait = Stopwatch.StartNew(); !proxy.Contains("agentgateway_config_updates_total{", StringComparison.Ordinal) && wait.Elapsed < TimeSpan.FromSeconds(30);)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            proxy = await http.GetStringAsync(proxyMetrics, cancellationToken);
        }

        Assert.Contains("agentgateway_config_updates_total{", proxy, StringComparison.Ordinal);
        Assert.Contains("agentgateway_xds_connected", proxy, StringComparison.Ordinal);
        var adminApi = await http.GetStringAsync(new Uri($"http://localhost:{platform.AdminApiManagementPort}/metrics"), cancellationToken);
        Assert.Contains("http_server_request_duration_seconds", adminApi, StringComparison.Ordinal);

        // Not on the API's own listener: there /metrics is just another path (which needs a token, and has no metrics).
        using var notOnTheApi = await http.GetAsync(new Uri(platform.AdminApiUrl, "/metrics"), cancellationToken);
        Assert.NotEqual(HttpStatusCode.OK, notOnTheApi.StatusCode);
        Assert.DoesNotContain("http_server_request_duration", await notOnTheApi.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }
}
