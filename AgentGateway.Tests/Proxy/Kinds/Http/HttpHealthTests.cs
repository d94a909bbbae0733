using System.Net;

namespace AgentGateway.Tests.Proxy.Kinds.Http;

/// <summary>Active and passive health of HTTP destinations, and config changes while requests flow.</summary>
public sealed class HttpHealthTests(HttpHealthFixture fixture) : IClassFixture<HttpHealthFixture>, IDisposable
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        fixture.First.Reset();
        fixture.Second.Reset();
    }

    [Fact]
    public async Task ActiveHealthCheck_TakesAFailingDestinationOut_AndBackInWhenItPasses()
    {
        fixture.Second.HealthStatus = 503;
        await UntilAsync(async () => (await UpstreamsOfAsync("/active", 20)).SetEquals(["first"]), "the failing destination was not taken out");

        fixture.Second.HealthStatus = 200;
        await UntilAsync(async () => (await UpstreamsOfAsync("/active", 20)).Contains("second"), "the destination did not come back");
    }

    [Fact]
    public async Task EveryDestinationFailing_Answers503WithAClearBody()
    {
        fixture.First.HealthStatus = 503;
        fixture.Second.HealthStatus = 503;
        await UntilAsync(async () =>
        {
            using var response = await fixture.Client.GetAsync(new Uri("/active", UriKind.Relative), Cancellation);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable
                && (await response.Content.ReadAsStringAsync(Cancellation)).Contains("No healthy destination", StringComparison.Ordinal);
        }, "no 503 when every destination fails its checks");

        fixture.First.HealthStatus = 200;
        fixture.Second.HealthStatus = 200;
        await UntilAsync(async () => (await UpstreamsOfAsync("/active", 4)).Count > 0, "the destinations did not come back");
    }

    [Fact]
    public async Task PassiveHealthCheck_EjectsADestinationAfterFailedRequests_AndTheEjectionSurvivesAConfigChange()
    {
        // Until the closed port has been tried once, some requests fail; after that it is ejected for ten minutes.
        var sawFailure = false;
        for (var index = 0; index < 60 && !sawFailure; index++)
        {
            using var response = await fixture.Client.GetAsync(new Uri("/passive", UriKind.Relative), Cancellation);
            sawFailure = response.StatusCode == HttpStatusCode.BadGateway;
        }

        Assert.True(sawFailure, "the closed destination was never picked");
        Assert.True((await UpstreamsOfAsync("/passive", 20)).SetEquals(["first"]));

        // A new config that leaves the destination as it was keeps its health.
        await fixture.Proxy.WriteConfigAsync(fixture.Config(version: "passive"), Cancellation);
        await UntilAsync(async () => await ConfigVersionAsync() == "passive", "the new config was not applied");
        Assert.True((await UpstreamsOfAsync("/passive", 20)).SetEquals(["first"]));
    }

    [Fact]
    public async Task ConfigChanges_UnderLoad_DropNoRequest()
    {
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sent = 0;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await fixture.Client.GetAsync(new Uri("/stable/x", UriKind.Relative), Cancellation);
                    Interlocked.Increment(ref sent);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
                    }
                }
                catch (HttpRequestException exception)
                {
                    failures.Add(exception.Message);
                }
            }
        }, Cancellation)).ToList();

        foreach (var version in new[] { "2", "3", "4" })
        {
            await fixture.Proxy.WriteConfigAsync(fixture.Config(version), Cancellation);
            await UntilAsync(async () => await ConfigVersionAsync() == version, $"config {version} was not applied");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(sent > 0);
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("{\"redirect\":{\"statusCode\":200}}", "routes[2].policies.redirect.statusCode: must be 301, 302, 303, 307 or 308")]
    [InlineData("{\"redirect\":{\"replaceFullPath\":\"/a\"},\"directResponse\":{\"status\":200}}", "routes[2].policies.redirect: and directResponse cannot both be set")]
    [InlineData("{\"urlRewrite\":{\"regex\":{\"pattern\":\"([a-z\",\"substitution\":\"/x\"}}}", "routes[2].policies.urlRewrite.regex.pattern: is not a valid regular expression")]
    [InlineData("{\"requestHeaders\":{\"set\":[{\"name\":\"bad header\",\"value\":\"x\"}]}}", "routes[2].policies.requestHeaders.set[0].name: must be a valid HTTP header name")]
    [InlineData("{\"responseHeaders\":{\"remove\":[\"Content-Length\"]}}", "routes[2].policies.responseHeaders.remove[0]: 'Content-Length' frames the message")]
    [InlineData("{\"cors\":{\"allowOrigins\":[\"https://app.example.com/path\"]}}", "routes[2].policies.cors.allowOrigins[0]: must be '*' or an origin")]
    [InlineData("{\"cors\":{}}", "routes[2].policies.cors.allowOrigins: must name at least one origin")]
    [InlineData("{\"timeouts\":{\"requestMs\":100,\"backendRequestMs\":200}}", "routes[2].policies.timeouts.backendRequestMs: must not exceed requestMs")]
    [InlineData("{\"retry\":{\"attempts\":2,\"retryOn\":[\"always\"]}}", "routes[2].policies.retry.retryOn[0]: must be 'connect-failure', 'reset' or 'timeout'")]
    [InlineData("{\"retry\":{\"attempts\":50}}", "routes[2].policies.retry.attempts: must be at most 10")]
    [InlineData("{\"mirrors\":[{\"url\":\"ftp://mirror\"}]}", "routes[2].policies.mirrors[0].url: must be an absolute http(s) URL")]
    [InlineData("{\"mirrors\":[{\"url\":\"http://mirror\",\"percentage\":150}]}", "routes[2].policies.mirrors[0].percentage: must be from 0 to 100")]
    [InlineData("{\"directResponse\":{\"status\":99}}", "routes[2].policies.directResponse.status: must be an HTTP status from 200 to 599")]
    [InlineData("{\"retry\":{\"attempts\":1,\"statusCodes\":[200]}}", "routes[2].policies.retry.statusCodes[0]: must be an error status from 400 to 599")]
    public async Task ABadTrafficPolicy_RefusesItsRouteAlone_NamingTheField_AndTheRoutesLastGoodVersionStays(string policies, string error)
    {
        await fixture.Proxy.WriteConfigAsync(fixture.Config("good"), Cancellation);
        await UntilAsync(async () => await ConfigVersionAsync() == "good", "the good config was not applied");

        await fixture.Proxy.WriteConfigAsync(fixture.Config("bad", System.Text.Json.JsonDocument.Parse(policies).RootElement), Cancellation);
        await UntilAsync(() => Task.FromResult(fixture.Proxy.Output.Contains(error, StringComparison.Ordinal)), $"the proxy did not report '{error}':\n{fixture.Proxy.Output}");
        Assert.Contains("route 'acme/stable' refused (its previous version is served)", fixture.Proxy.Output, StringComparison.Ordinal);
        Assert.Equal("good", await ConfigVersionAsync());
        Assert.NotEmpty(await UpstreamsOfAsync("/active", 2));
    }

    private async Task<string> ConfigVersionAsync()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/stable/version", UriKind.Relative), Cancellation);
        return response.Headers.TryGetValues("x-config", out var values) ? string.Join(",", values) : string.Empty;
    }

    /// <summary>The upstreams that answered <paramref name="count"/> requests to <paramref name="path"/> (failures left out).</summary>
    private async Task<HashSet<string>> UpstreamsOfAsync(string path, int count)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < count; index++)
        {
            using var response = await fixture.Client.GetAsync(new Uri(path, UriKind.Relative), Cancellation);
            if (response.Headers.TryGetValues("x-upstream", out var values))
            {
                names.UnionWith(values);
            }
            else
            {
                names.Add($"status {(int)response.StatusCode}");
            }
        }

        return names;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, failure);
            await Task.Delay(100, Cancellation);
        }
    }
}
