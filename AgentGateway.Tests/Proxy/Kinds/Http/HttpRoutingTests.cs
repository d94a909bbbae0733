using System.Net;
using System.Text;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace AgentGateway.Tests.Proxy.Kinds.Http;

/// <summary>HTTP routes through a standalone proxy: which route takes a request, where it goes, and what it looks like upstream.</summary>
public sealed class HttpRoutingTests(HttpTrafficFixture fixture) : IClassFixture<HttpTrafficFixture>
{
    [Theory]
    [InlineData("/p/1", "exact")]
    [InlineData("/p/2", "prefix")]
    [InlineData("/p", "prefix")]
    [InlineData("/r/7", "regex")]
    [InlineData("/r/x", "status 404")]
    [InlineData("/pp", "status 404")]
    [InlineData("/nothing/here", "status 404")]
    public async Task ExactPath_BeatsPrefix_BeatsRegex_AndPrefixesHoldToSegments(string path, string route) =>
        Assert.Equal(route, await fixture.RouteOfAsync(HttpMethod.Get, path));

    [Theory]
    [InlineData("api.example.com", "host-exact")]
    [InlineData("other.example.com", "host-wildcard")]
    [InlineData("deep.other.example.com", "host-wildcard")]
    [InlineData("example.com", "host-any")]
    [InlineData("unrelated.org", "host-any")]
    public async Task ExactHosts_BeatWildcardHosts_BeatAnyHost(string host, string route) =>
        Assert.Equal(route, await fixture.RouteOfAsync(HttpMethod.Get, "/h/x", request => request.Headers.Host = host));

    [Fact]
    public async Task RoutesWithMethods_HeaderConditions_AndQueryConditions_WinWhenTheyHold()
    {
        Assert.Equal("method-post", await fixture.RouteOfAsync(HttpMethod.Post, "/m"));
        Assert.Equal("method-any", await fixture.RouteOfAsync(HttpMethod.Get, "/m"));
        Assert.Equal("header-v2", await fixture.RouteOfAsync(HttpMethod.Get, "/hd", request =>
        {
            request.Headers.Add("x-version", "2");
            request.Headers.Add("x-channel", "beta-1");
        }));
        Assert.Equal("header-not-beta", await fixture.RouteOfAsync(HttpMethod.Get, "/hd"));
        Assert.Equal("header-any", await fixture.RouteOfAsync(HttpMethod.Get, "/hd", request => request.Headers.Add("x-channel", "beta")));
        Assert.Equal("query-beta", await fixture.RouteOfAsync(HttpMethod.Get, "/qy?beta=1"));
        Assert.Equal("query-any", await fixture.RouteOfAsync(HttpMethod.Get, "/qy?beta=2"));
    }

    [Fact]
    public async Task EqualWeights_ReachEveryDestination_AndAHeavyWeight_TakesAlmostAll()
    {
        var split = new Dictionary<string, int>();
        var weighted = new Dictionary<string, int>();
        for (var index = 0; index < 200; index++)
        {
            using var splitResponse = await fixture.SendAsync(HttpMethod.Get, "/split/x");
            var splitUpstream = (await HttpTrafficFixture.EchoOfAsync(splitResponse)).Upstream;
            split[splitUpstream] = split.GetValueOrDefault(splitUpstream) + 1;
            using var weightedResponse = await fixture.SendAsync(HttpMethod.Get, "/weighted/x");
            var weightedUpstream = (await HttpTrafficFixture.EchoOfAsync(weightedResponse)).Upstream;
            weighted[weightedUpstream] = weighted.GetValueOrDefault(weightedUpstream) + 1;
        }

        // Equal weights: each side missing from 200 picks has a chance of 2^-200.
        Assert.True(split.GetValueOrDefault("primary") > 0 && split.GetValueOrDefault("secondary") > 0, string.Join(", ", split));
        // 1 : 10000 — the light side expects 0.02 of 200 picks; 20 or more would be astronomically unlikely.
        Assert.True(weighted.GetValueOrDefault("secondary") > 180, string.Join(", ", weighted));
    }

    [Fact]
    public async Task ForwardedRequest_KeepsMethodPathQueryAndBody_AppendsToTheDestinationPath_AndCarriesForwardedHeaders()
    {
        using var response = await fixture.SendAsync(HttpMethod.Put, "/base/items/1?color=red", request =>
        {
            request.Headers.Host = "client.example.com";
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        }, new StringContent("the body", Encoding.UTF8, "text/plain"));
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/upstream-base/base/items/1", echo.Path);
        Assert.Equal("?color=red", echo.Query);
        Assert.Equal("the body", echo.Body);
        Assert.Equal(fixture.Primary.Address.Authority, echo.Host);
        Assert.Equal("203.0.113.9, 127.0.0.1", echo.Headers["x-forwarded-for"]);
        Assert.Equal("http", echo.Headers["x-forwarded-proto"]);
        Assert.Equal("client.example.com", echo.Headers["x-forwarded-host"]);
    }

    [Fact]
    public async Task PreserveHost_SendsTheClientsHost()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/preserve", request => request.Headers.Host = "client.example.com");
        Assert.Equal("client.example.com", (await HttpTrafficFixture.EchoOfAsync(response)).Host);
    }

    [Fact]
    public async Task RequestHeaders_AreAddedSetAndRemoved_AndResponseHeadersToo()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/headers", request =>
        {
            request.Headers.Add("x-added", "zero");
            request.Headers.Add("x-set", "original");
            request.Headers.Add("x-remove-me", "secret");
        });
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal("zero,one", echo.Headers["x-added"].Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal("forced", echo.Headers["x-set"]);
        Assert.False(echo.Headers.ContainsKey("x-remove-me"));

        Assert.Equal("yes", HttpTrafficFixture.HeaderOf(response, "x-response-added"));
        Assert.Equal("overridden", HttpTrafficFixture.HeaderOf(response, "x-upstream"));
        Assert.False(response.Headers.Contains("x-upstream-remove-me"));
        Assert.Equal("headers", HttpTrafficFixture.HeaderOf(response, "x-route"));
    }

    [Theory]
    [InlineData("/redirect/full?a=1", 301, "http://{host}/new/place?a=1")]
    [InlineData("/redirect/prefix/a/b?x=1", 302, "http://{host}/moved/a/b?x=1")]
    [InlineData("/redirect/prefix", 302, "http://{host}/moved")]
    [InlineData("/redirect/https/page", 308, "https://secure.example.com/redirect/https/page")]
    [InlineData("/redirect/port/page", 307, "http://{hostname}:8443/redirect/port/page")]
    public async Task Redirect_ReplacesSchemeHostPortAndPath_WithItsStatus(string path, int status, string location)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path);
        Assert.Equal(status, (int)response.StatusCode);
        var authority = fixture.Proxy.BaseAddress;
        Assert.Equal(location.Replace("{host}", authority.Authority, StringComparison.Ordinal).Replace("{hostname}", authority.Host, StringComparison.Ordinal),
            response.Headers.Location?.OriginalString);
        Assert.Equal(0, fixture.Primary.Requests.Count(request => request.Path.Contains("redirect", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/rewrite/full/anything?q=1", "/replaced", "?q=1")]
    [InlineData("/rewrite/prefix/items/7?x=1", "/v2/items/7", "?x=1")]
    [InlineData("/rewrite/prefix", "/v2", "")]
    [InlineData("/rewrite/root/items", "/items", "")]
    [InlineData("/rewrite/regex/books/42", "/items/42/books", "")]
    public async Task UrlRewrite_ChangesThePathSentUpstream(string path, string upstreamPath, string query)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path);
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.Equal(upstreamPath, echo.Path);
        Assert.Equal(query, echo.Query);
    }

    [Fact]
    public async Task UrlRewrite_Hostname_ReplacesTheHostSentUpstream()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/rewrite/host");
        Assert.Equal("internal.example", (await HttpTrafficFixture.EchoOfAsync(response)).Host);
    }

    [Fact]
    public async Task DirectResponse_AnswersFromTheGateway_WithResponseHeaders()
    {
        var before = fixture.Primary.Requests.Count;
        using var response = await fixture.SendAsync(HttpMethod.Get, "/direct/anything");
        Assert.Equal(418, (int)response.StatusCode);
        Assert.Equal("short and stout", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("direct", HttpTrafficFixture.HeaderOf(response, "x-route"));
        Assert.Equal(before, fixture.Primary.Requests.Count);
    }

    [Fact]
    public async Task CorsPreflight_FromAnAllowedOrigin_IsAnsweredAtTheGateway()
    {
        var before = fixture.Primary.Requests.Count;
        using var response = await fixture.SendAsync(HttpMethod.Options, "/cors/items", request =>
        {
            request.Headers.Add("Origin", "https://app.example.com");
            request.Headers.Add("Access-Control-Request-Method", "PUT");
            request.Headers.Add("Access-Control-Request-Headers", "x-custom");
        });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.com", HttpTrafficFixture.HeaderOf(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET,PUT", HttpTrafficFixture.HeaderOf(response, "Access-Control-Allow-Methods"));
        Assert.Equal("x-custom", HttpTrafficFixture.HeaderOf(response, "Access-Control-Allow-Headers"));
        Assert.Equal("true", HttpTrafficFixture.HeaderOf(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("600", HttpTrafficFixture.HeaderOf(response, "Access-Control-Max-Age"));
        Assert.Equal("cors", HttpTrafficFixture.HeaderOf(response, "x-route"));
        Assert.Equal(before, fixture.Primary.Requests.Count);
    }

    [Theory]
    [InlineData("https://evil.example.org", "PUT")]
    [InlineData("https://trusted.com", "GET")]
    [InlineData("https://app.example.com", "DELETE")]
    public async Task CorsPreflight_FromAnotherOriginOrForAnotherMethod_Is403WithoutCorsHeaders(string origin, string method)
    {
        using var response = await fixture.SendAsync(HttpMethod.Options, "/cors/items", request =>
        {
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", method);
        });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task CorsActualRequest_FromAnAllowedOrigin_GetsAllowOriginCredentialsAndExposeHeaders_AndOthersGetNone()
    {
        using var allowed = await fixture.SendAsync(HttpMethod.Get, "/cors/items", request => request.Headers.Add("Origin", "https://a.trusted.com"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://a.trusted.com", HttpTrafficFixture.HeaderOf(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("true", HttpTrafficFixture.HeaderOf(allowed, "Access-Control-Allow-Credentials"));
        Assert.Equal("x-upstream", HttpTrafficFixture.HeaderOf(allowed, "Access-Control-Expose-Headers"));

        using var refused = await fixture.SendAsync(HttpMethod.Get, "/cors/items", request => request.Headers.Add("Origin", "https://evil.example.org"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task CredentialsTheGatewayChecked_DoNotGoUpstream()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api-key", request =>
        {
            request.Headers.Add("X-Api-Key", "the-key");
            request.Headers.Add("X-Other", "kept");
        });
        var echo = await HttpTrafficFixture.EchoOfAsync(response);
        Assert.False(echo.Headers.ContainsKey("x-api-key"));
        Assert.Equal("kept", echo.Headers["x-other"]);

        using var refused = await fixture.SendAsync(HttpMethod.Get, "/api-key");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("api-key", HttpTrafficFixture.HeaderOf(refused, "x-route"));
    }

    [Fact]
    public async Task McpRoute_WithCors_AnswersPreflights_AndItsOriginsPassTheOriginCheck()
    {
        using var preflight = await fixture.SendAsync(HttpMethod.Options, "/mcp-cors", request =>
        {
            request.Headers.Add("Origin", "https://app.example.com");
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type, mcp-protocol-version");
        });
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("content-type,mcp-protocol-version", HttpTrafficFixture.HeaderOf(preflight, "Access-Control-Allow-Headers"));

        const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
        async Task<(HttpStatusCode Status, string Body, string AllowOrigin)> PostAsync(string origin)
        {
            using var response = await fixture.SendAsync(HttpMethod.Post, "/mcp-cors", request =>
            {
                request.Headers.Add("Origin", origin);
                request.Headers.Add("Accept", "application/json, text/event-stream");
            }, new StringContent(Initialize, Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
                HttpTrafficFixture.HeaderOf(response, "Access-Control-Allow-Origin"));
        }

        var allowed = await PostAsync("https://app.example.com");
        Assert.DoesNotContain("is not accepted", allowed.Body, StringComparison.Ordinal);
        Assert.Equal("https://app.example.com", allowed.AllowOrigin);

        var refused = await PostAsync("https://evil.example.org");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("is not accepted", refused.Body, StringComparison.Ordinal);
        Assert.Equal(string.Empty, refused.AllowOrigin);
    }

    [Fact]
    public async Task ARouteAtTheRoot_TakesEveryPath_ButTheProxysOwnHealthProbes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var upstream = await EchoUpstream.StartAsync("root");
        upstream.HealthStatus = StatusCodes.Status503ServiceUnavailable;
        await using var proxy = await StandaloneProxy.StartAsync(new
        {
            hostGrants = new[] { new { host = "127.0.0.1", tenant = "acme" } },
            routes = new[]
            {
                new
                {
                    tenant = "acme",
                    name = "root",
                    match = new { pathPrefix = "/" },
                    http = new { destinations = new[] { new { name = "root", url = upstream.Address.ToString() } } },
                },
            },
        }, cancellationToken);
        using var client = new HttpClient { BaseAddress = proxy.BaseAddress };

        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative), cancellationToken));
        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/READYZ", UriKind.Relative), cancellationToken));
        Assert.Equal(0, upstream.HealthProbes);

        using var forwarded = await client.GetAsync(new Uri("/healthzz/x", UriKind.Relative), cancellationToken);
        Assert.Equal("/healthzz/x", (await HttpTrafficFixture.EchoOfAsync(forwarded)).Path);
        using var root = await client.GetAsync(new Uri("/", UriKind.Relative), cancellationToken);
        Assert.Equal("/", (await HttpTrafficFixture.EchoOfAsync(root)).Path);
    }
}
