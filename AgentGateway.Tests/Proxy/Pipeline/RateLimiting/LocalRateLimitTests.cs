using System.Net;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Pipeline.RateLimiting;

/// <summary>Local token buckets through a standalone proxy, per key kind, on MCP and HTTP routes.</summary>
[Collection(RateLimitCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class LocalRateLimitTests(RateLimitFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task McpRoute_OverItsBucket_AnswersJsonRpcRateLimitedWith429AndHeaders()
    {
        using (var first = await McpTestClient.InitializeAsync(gateway.Route("mcp-limited"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("2", Header(first, "RateLimit-Limit"));
            Assert.Equal("1", Header(first, "RateLimit-Remaining"));
        }

        using (var second = await McpTestClient.InitializeAsync(gateway.Route("mcp-limited"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("0", Header(second, "RateLimit-Remaining"));
        }

        using var refused = await McpTestClient.InitializeAsync(gateway.Route("mcp-limited"), Cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("\"jsonrpc\":\"2.0\"", body, StringComparison.Ordinal);
        Assert.Contains("-32029", body, StringComparison.Ordinal);
        Assert.Contains("per-route", body, StringComparison.Ordinal);
        Assert.True(int.Parse(Header(refused, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("2", Header(refused, "RateLimit-Limit"));
        Assert.Equal("0", Header(refused, "RateLimit-Remaining"));
        Assert.NotNull(Header(refused, "RateLimit-Reset"));
    }

    [Fact]
    public async Task HttpRoute_SendsTheTightestBucketsHeaders_AndRefusesWith429()
    {
        using (var first = await RateLimitFixture.GetAsync(gateway.Route("http-limited"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.StartsWith("ok", await first.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
            Assert.Equal("2", Header(first, "RateLimit-Limit"));
            Assert.Equal("1", Header(first, "RateLimit-Remaining"));
        }

        using (var second = await RateLimitFixture.GetAsync(gateway.Route("http-limited"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        using var refused = await RateLimitFixture.GetAsync(gateway.Route("http-limited"), Cancellation);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("small", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.NotNull(Header(refused, "Retry-After"));
        Assert.Equal("2", Header(refused, "RateLimit-Limit"));
    }

    [Fact]
    public async Task AnEmptyBucket_RefillsAfterItsInterval()
    {
        HttpStatusCode status;
        var attempts = 0;
        do
        {
            using var response = await RateLimitFixture.GetAsync(gateway.Route("refilling"), Cancellation);
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.OK && ++attempts < 20);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);

        await WaitUntilAsync(async () =>
        {
            using var response = await RateLimitFixture.GetAsync(gateway.Route("refilling"), Cancellation);
            return response.StatusCode == HttpStatusCode.OK;
        });
    }

    [Fact]
    public async Task ApiKeyBuckets_AreKeptPerKey()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-key", new() { ["X-Api-Key"] = RateLimitFixture.KeyA }));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync("by-key", new() { ["X-Api-Key"] = RateLimitFixture.KeyA }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-key", new() { ["X-Api-Key"] = RateLimitFixture.KeyB }));
    }

    [Fact]
    public async Task HeaderBuckets_AreKeptPerValue()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-header", new() { ["x-user"] = "ann" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync("by-header", new() { ["x-user"] = "ann" }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-header", new() { ["x-user"] = "ben" }));
    }

    [Fact]
    public async Task ClaimBuckets_AreKeptPerClaimValue()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-claim", Bearer(gateway.Token("alice"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync("by-claim", Bearer(gateway.Token("alice"))));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("by-claim", Bearer(gateway.Token("bob"))));
    }

    [Fact]
    public async Task ClientIpBuckets_AreKeptPerAddress()
    {
        using (var first = await RateLimitFixture.GetAsync(gateway.Route("by-ip"), Cancellation, localAddress: IPAddress.Loopback))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var again = await RateLimitFixture.GetAsync(gateway.Route("by-ip"), Cancellation, localAddress: IPAddress.Loopback))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        }

        using var other = await RateLimitFixture.GetAsync(gateway.Route("by-ip"), Cancellation, localAddress: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task TenantBuckets_AreSharedByTheRoutesOfTheTenantNamingThem()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("tenant-one", []));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("tenant-two", []));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync("tenant-one", []));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync("tenant-two", []));
    }

    internal static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : null;

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(100, Cancellation);
        }
    }

    private static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };

    private async Task<HttpStatusCode> StatusAsync(string route, Dictionary<string, string> headers)
    {
        using var response = await RateLimitFixture.GetAsync(gateway.Route(route), Cancellation, headers);
        return response.StatusCode;
    }
}
