using System.Net;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

/// <summary>Limits shared by proxy replicas: buckets in a real Redis, and an Envoy rate-limit service.</summary>
[Collection(RateLimitCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class DistributedRateLimitTests(RateLimitFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoProxiesSharingRedis_EnforceOneLimit()
    {
        await WaitUntilRedisServesAsync(gateway.First);
        await WaitUntilRedisServesAsync(gateway.Second);
        using (var first = await RateLimitFixture.GetAsync(gateway.Route("redis-shared", gateway.First), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("3", LocalRateLimitTests.Header(first, "RateLimit-Limit"));
            Assert.Equal("2", LocalRateLimitTests.Header(first, "RateLimit-Remaining"));
        }

        using (var second = await RateLimitFixture.GetAsync(gateway.Route("redis-shared", gateway.Second), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("1", LocalRateLimitTests.Header(second, "RateLimit-Remaining"));
        }

        using (var third = await RateLimitFixture.GetAsync(gateway.Route("redis-shared", gateway.First), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
            Assert.Equal("0", LocalRateLimitTests.Header(third, "RateLimit-Remaining"));
        }

        foreach (var proxy in new[] { gateway.Second, gateway.First })
        {
            using var refused = await RateLimitFixture.GetAsync(gateway.Route("redis-shared", proxy), Cancellation);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(LocalRateLimitTests.Header(refused, "Retry-After"));
        }
    }

    [Fact]
    public async Task RedisDown_FailureModeOpenAllows_ClosedRefuses_AndBothRecoverWhenRedisReturns()
    {
        await WaitUntilRedisServesAsync(gateway.First);
        var user = new Dictionary<string, string> { ["x-user"] = Guid.NewGuid().ToString("N") };
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("redis-closed", user, gateway.First));
        using var scraper = new HttpClient();
        var before = await scraper.GetStringAsync(gateway.FirstMetrics, Cancellation);

        await gateway.Redis.StopAsync();
        try
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync("redis-open", user, gateway.First));
            using (var closed = await RateLimitFixture.GetAsync(gateway.Route("redis-closed"), Cancellation, user))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, closed.StatusCode);
                Assert.Contains("unavailable", await closed.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
                Assert.NotNull(LocalRateLimitTests.Header(closed, "Retry-After"));
            }

            using var http = new HttpClient { BaseAddress = gateway.First.BaseAddress };
            using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Cancellation);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

            // Each decision left to a failure mode is counted by it, so an operator sees the limits that were not applied.
            var after = await scraper.GetStringAsync(gateway.FirstMetrics, Cancellation);
            foreach (var mode in new[] { "open", "closed" })
            {
                Assert.Equal(1, PrometheusText.Added(before, after, "agentgateway_ratelimit_fallbacks_total", "limiter=\"redis\"", $"failure_mode=\"{mode}\""));
            }
        }
        finally
        {
            await gateway.Redis.StartAgainAsync(Cancellation);
        }

        await WaitUntilRedisServesAsync(gateway.First);
        await WaitUntilRedisServesAsync(gateway.Second);
        Assert.Contains("Rate-limit Redis", gateway.First.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvoyRateLimitService_Decides_AndItsHeadersReachTheClient()
    {
        var user = new Dictionary<string, string> { ["x-user"] = "carol" };
        for (var request = 1; request <= RateLimitUpstreams.RlsLimit; request++)
        {
            using var allowed = await RateLimitFixture.GetAsync(gateway.Route("envoy"), Cancellation, user);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.True(LocalRateLimitTests.Header(allowed, "x-test-rls") == "counted", "The service's header is missing; proxy log:\n" + gateway.First.Output);
            Assert.Equal("2", LocalRateLimitTests.Header(allowed, "RateLimit-Limit"));
            Assert.Equal((RateLimitUpstreams.RlsLimit - request).ToString(System.Globalization.CultureInfo.InvariantCulture), LocalRateLimitTests.Header(allowed, "RateLimit-Remaining"));
        }

        using var refused = await RateLimitFixture.GetAsync(gateway.Route("envoy"), Cancellation, user);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("counted", LocalRateLimitTests.Header(refused, "x-test-rls"));
        Assert.Equal(RateLimitUpstreams.RlsResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), LocalRateLimitTests.Header(refused, "Retry-After"));

        var seen = gateway.Upstreams.Rls.Requests.Last(request => request.Domain == "agentgateway");
        var entries = seen.Descriptors.Single().Entries;
        Assert.Equal(("tenant", "acme"), (entries[0].Key, entries[0].Value));
        Assert.Equal(("user", "u-carol"), (entries[1].Key, entries[1].Value));

        // Without the header the descriptor does not apply: the service is not asked and the request passes.
        var asked = gateway.Upstreams.Rls.Requests.Count;
        using var unkeyed = await RateLimitFixture.GetAsync(gateway.Route("envoy"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, unkeyed.StatusCode);
        Assert.Equal(asked, gateway.Upstreams.Rls.Requests.Count);
    }

    [Fact]
    public async Task EnvoyRateLimitService_OnAnMcpRoute_RefusesInJsonRpc()
    {
        for (var request = 0; request < RateLimitUpstreams.RlsLimit; request++)
        {
            using var allowed = await McpTestClient.InitializeAsync(gateway.Route("mcp-envoy"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await McpTestClient.InitializeAsync(gateway.Route("mcp-envoy"), Cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("-32029", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal("counted", LocalRateLimitTests.Header(refused, "x-test-rls"));
    }

    /// <summary>Waits until a request of the fail-closed Redis route passes: the proxy's Redis connection is up.</summary>
    private async Task WaitUntilRedisServesAsync(StandaloneProxy proxy) =>
        await LocalRateLimitTests.WaitUntilAsync(async () =>
            await StatusAsync("redis-closed", new() { ["x-user"] = "probe-" + Guid.NewGuid().ToString("N") }, proxy) == HttpStatusCode.OK, seconds: 60);

    private async Task<HttpStatusCode> StatusAsync(string route, Dictionary<string, string> headers, StandaloneProxy proxy)
    {
        using var response = await RateLimitFixture.GetAsync(gateway.Route(route, proxy), Cancellation, headers);
        return response.StatusCode;
    }
}
