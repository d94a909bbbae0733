using System.Net;
using System.Text;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Http;

/// <summary>Timeouts, retries and mirrors of HTTP routes, against an upstream told to fail, stall or break.</summary>
public sealed class HttpResiliencyTests(HttpTrafficFixture fixture) : IClassFixture<HttpTrafficFixture>, IDisposable
{
    private EchoUpstream Flaky => fixture.Flaky;

    public void Dispose()
    {
        Flaky.Reset();
        fixture.MirrorTarget.Reset();
    }

    [Fact]
    public async Task RequestTimeout_AnswersGatewayTimeout()
    {
        Flaky.Reset();
        using var response = await fixture.SendAsync(HttpMethod.Get, "/timeout/request", request => request.Headers.Add("x-delay-ms", "10000"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("timeout", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
        // Response header changes apply to the gateway's own answers too.
        Assert.Equal("request-timeout", HttpTrafficFixture.HeaderOf(response, "x-route"));
    }

    [Fact]
    public async Task TryTimeout_IsRetried_AndTheNextTryAnswers()
    {
        Flaky.Reset();
        Flaky.DelayNext(1, TimeSpan.FromSeconds(10));
        using var response = await fixture.SendAsync(HttpMethod.Get, "/timeout/try");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Flaky.Requests.Count);
    }

    [Fact]
    public async Task Retry_OnUnavailable_SucceedsOnALaterTry()
    {
        Flaky.Reset();
        Flaky.FailNext(2, Unavailable);
        using var response = await fixture.SendAsync(HttpMethod.Get, "/retry/items");
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal("/retry/items", echo.Path);
        Assert.Equal(3, Flaky.Requests.Count);
    }

    [Fact]
    public async Task Retry_WhenEveryTryFails_AnswersTheLastFailure()
    {
        Flaky.Reset();
        Flaky.FailNext(5, Unavailable);
        using var response = await fixture.SendAsync(HttpMethod.Get, "/retry/items");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("flaky failed with 503", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, Flaky.Requests.Count);
    }

    [Fact]
    public async Task Retry_OnlyTakesTheConfiguredStatuses()
    {
        Flaky.Reset();
        Flaky.FailNext(1, 429);
        using (var response = await fixture.SendAsync(HttpMethod.Get, "/retry-statuses"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Flaky.Reset();
        Flaky.FailNext(1, Unavailable);
        using (var response = await fixture.SendAsync(HttpMethod.Get, "/retry-statuses"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Single(Flaky.Requests);
    }

    [Fact]
    public async Task Post_IsNotRetriedByDefault()
    {
        Flaky.Reset();
        Flaky.FailNext(1, Unavailable);
        using var response = await fixture.SendAsync(HttpMethod.Post, "/retry/items", content: new StringContent("once", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(Flaky.Requests);
    }

    [Fact]
    public async Task Post_WithAllowNonIdempotent_IsRetried_WithItsBodyEachTime()
    {
        Flaky.Reset();
        Flaky.FailNext(1, Unavailable);
        using var response = await fixture.SendAsync(HttpMethod.Post, "/retry-post", content: new StringContent("twice", Encoding.UTF8, "text/plain"));
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal("twice", echo.Body);
        Assert.Equal(["twice", "twice"], Flaky.Requests.Select(request => request.Body));
    }

    [Fact]
    public async Task NoRetry_OnceTheAnswerHasStartedReachingTheClient()
    {
        Flaky.Reset();
        string outcome;
        try
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, "/retry/partial");
            outcome = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}";
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            outcome = exception.Message;
        }

        // The upstream broke the answer after its first bytes (the reset retry policy applies): one try only, and the
        // client sees the broken answer rather than a whole one.
        Assert.DoesNotContain("200 part of the answer", outcome, StringComparison.Ordinal);
        Assert.Single(Flaky.Requests);
    }

    [Fact]
    public async Task Mirror_GetsACopyWithTheBody_WhileThePrimaryAnswersWithoutWaitingForIt()
    {
        var mirror = fixture.MirrorTarget;
        mirror.Reset();
        mirror.Hold();
        using var response = await fixture.SendAsync(HttpMethod.Post, "/mirror/orders?id=7", content: new StringContent("copy me", Encoding.UTF8, "text/plain"));

        // The mirror has not answered (it is held), yet the primary's answer is here.
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal("primary", echo.Upstream);
        var copy = await EventuallyAsync(() => mirror.Requests.FirstOrDefault(request => request.Path == "/mirror/orders"));
        Assert.Equal("POST", copy.Method);
        Assert.Equal("?id=7", copy.Query);
        Assert.Equal("copy me", copy.Body);
        mirror.Release();
    }

    [Fact]
    public async Task Mirror_ThatIsDown_NeverFailsThePrimary()
    {
        for (var index = 0; index < 5; index++)
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, "/mirror-down/x");
            Assert.Equal("primary", (await HttpTrafficFixture.EchoOfAsync(response)).Upstream);
        }
    }

    [Fact]
    public async Task A2aRoute_GetsTheRequestHeaderChangesRetriesAndMirrors()
    {
        Flaky.Reset();
        var mirror = fixture.MirrorTarget;
        mirror.Reset();
        Flaky.FailNext(1, Unavailable);
        const string message = """{"jsonrpc":"2.0","id":"m-1","method":"message/send","params":{"message":{"kind":"message","messageId":"x1","role":"user","parts":[{"kind":"text","text":"hi"}]}}}""";
        using var response = await fixture.SendAsync(HttpMethod.Post, "/a2a-traffic", content: new StringContent(message, Encoding.UTF8, "application/json"));

        // The first try's 503 was retried (a POST: the route allows it); the agent saw the header the policy sets.
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal(2, Flaky.Requests.Count);
        Assert.Equal("a2a", echo.Headers["x-gateway"]);
        Assert.Equal(message, echo.Body);
        Assert.Equal("a2a-traffic", HttpTrafficFixture.HeaderOf(response, "x-route"));
        var copy = await EventuallyAsync(() => mirror.Requests.FirstOrDefault(request => request.Body == message));
        Assert.Equal("POST", copy.Method);
    }

    [Fact]
    public async Task A2aRoute_RequestTimeout_AnswersInJsonRpcForm()
    {
        Flaky.Reset();
        Flaky.DelayNext(1, TimeSpan.FromSeconds(10));
        const string message = """{"jsonrpc":"2.0","id":42,"method":"tasks/get","params":{"id":"t-1"}}""";
        using var response = await fixture.SendAsync(HttpMethod.Post, "/a2a-timeout", content: new StringContent(message, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(42, body.RootElement.GetProperty("id").GetInt32());
        Assert.Contains("timeout", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private const int Unavailable = 503;

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
