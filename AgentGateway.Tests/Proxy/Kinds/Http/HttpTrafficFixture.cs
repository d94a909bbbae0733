using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Http;

/// <summary>
/// A standalone proxy with HTTP routes for every traffic policy in front of echo upstreams: <see cref="Primary"/>
/// and <see cref="Secondary"/> for matching and weights, <see cref="Flaky"/> for timeouts and retries,
/// <see cref="MirrorTarget"/> for mirrors. Each route names itself in an <c>x-route</c> response header.
/// </summary>
public sealed class HttpTrafficFixture : IAsyncLifetime
{
    public EchoUpstream Primary { get; private set; } = null!;

    public EchoUpstream Secondary { get; private set; } = null!;

    public EchoUpstream Flaky { get; private set; } = null!;

    public EchoUpstream MirrorTarget { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Primary = await EchoUpstream.StartAsync("primary");
        Secondary = await EchoUpstream.StartAsync("secondary");
        Flaky = await EchoUpstream.StartAsync("flaky");
        MirrorTarget = await EchoUpstream.StartAsync("mirror");
        // The hosts the tests call are granted to the routes' tenant, so its routes may take paths outside /acme there.
        var hostGrants = new[] { "127.0.0.1", "example.com", "*.example.com", "unrelated.org" }.Select(host => new { host, tenant = "acme" });
        Proxy = await StandaloneProxy.StartAsync(new { routes = Routes(), hostGrants }, TestContext.Current.CancellationToken);
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = Proxy.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    private object[] Routes()
    {
        var primary = Primary.Address.ToString();
        object Route(string name, object match, object? policies = null, object? http = null) => new
        {
            tenant = "acme",
            name,
            match,
            policies = Merge(policies, name),
            http = http ?? new { destinations = new[] { new { name = "primary", url = primary } } },
        };
        object To(EchoUpstream upstream) => new { destinations = new[] { new { name = upstream.Name, url = upstream.Address.ToString() } } };
        object A2a(string name, object policies) => new
        {
            tenant = "acme",
            name,
            path = $"/{name}",
            policies = Merge(policies, name),
            a2a = new { url = Flaky.Address.ToString() },
        };

        return
        [
            // Matching precedence.
            Route("exact", new { path = "/p/1" }),
            Route("prefix", new { pathPrefix = "/p" }),
            Route("regex", new { pathRegex = "/r/[0-9]+" }),
            Route("host-exact", new { pathPrefix = "/h", hosts = new[] { "api.example.com" } }),
            Route("host-wildcard", new { pathPrefix = "/h", hosts = new[] { "*.example.com" } }),
            Route("host-any", new { pathPrefix = "/h" }),
            Route("method-post", new { pathPrefix = "/m", methods = new[] { "POST" } }),
            Route("method-any", new { pathPrefix = "/m" }),
            Route("header-v2", new { pathPrefix = "/hd", headers = new[] { new { name = "x-version", exact = "2" } } }),
            Route("header-not-beta", new { pathPrefix = "/hd", headers = new object[] { new { name = "x-channel", regex = "beta.*", invert = true } } }),
            Route("header-any", new { pathPrefix = "/hd" }),
            Route("query-beta", new { pathPrefix = "/qy", query = new[] { new { name = "beta", exact = "1" } } }),
            Route("query-any", new { pathPrefix = "/qy" }),

            // Destinations.
            Route("split", new { pathPrefix = "/split" }, http: new
            {
                destinations = new[] { new { name = "primary", url = primary, weight = 1 }, new { name = "secondary", url = Secondary.Address.ToString(), weight = 1 } },
            }),
            Route("weighted", new { pathPrefix = "/weighted" }, http: new
            {
                destinations = new[] { new { name = "primary", url = primary, weight = 1 }, new { name = "secondary", url = Secondary.Address.ToString(), weight = 10_000 } },
            }),
            Route("preserve", new { pathPrefix = "/preserve" }, http: new { destinations = new[] { new { name = "primary", url = primary } }, preserveHost = true }),
            Route("base-path", new { pathPrefix = "/base" }, http: new { destinations = new[] { new { name = "primary", url = primary + "upstream-base" } } }),

            // Header changes.
            Route("headers", new { pathPrefix = "/headers" }, new
            {
                requestHeaders = new
                {
                    add = new[] { new { name = "x-added", value = "one" } },
                    set = new[] { new { name = "x-set", value = "forced" } },
                    remove = new[] { "x-remove-me" },
                },
                responseHeaders = new
                {
                    add = new[] { new { name = "x-response-added", value = "yes" } },
                    set = new[] { new { name = "x-upstream", value = "overridden" } },
                    remove = new[] { "x-upstream-remove-me" },
                },
            }),

            // Redirects.
            Route("redirect-full", new { path = "/redirect/full" }, new { redirect = new { replaceFullPath = "/new/place", statusCode = 301 } }),
            Route("redirect-prefix", new { pathPrefix = "/redirect/prefix" }, new { redirect = new { replacePrefixMatch = "/moved" } }),
            Route("redirect-https", new { pathPrefix = "/redirect/https" }, new { redirect = new { scheme = "https", hostname = "secure.example.com", statusCode = 308 } }),
            Route("redirect-port", new { pathPrefix = "/redirect/port" }, new { redirect = new { port = 8443, statusCode = 307 } }),

            // Rewrites.
            Route("rewrite-full", new { pathPrefix = "/rewrite/full" }, new { urlRewrite = new { replaceFullPath = "/replaced" } }),
            Route("rewrite-prefix", new { pathPrefix = "/rewrite/prefix" }, new { urlRewrite = new { replacePrefixMatch = "/v2" } }),
            Route("rewrite-root", new { pathPrefix = "/rewrite/root" }, new { urlRewrite = new { replacePrefixMatch = "/" } }),
            Route("rewrite-regex", new { pathRegex = "/rewrite/regex/[a-z]+/[0-9]+" }, new
            {
                urlRewrite = new { regex = new { pattern = "^/rewrite/regex/([a-z]+)/([0-9]+)$", substitution = "/items/$2/$1" } },
            }),
            Route("rewrite-host", new { pathPrefix = "/rewrite/host" }, new { urlRewrite = new { hostname = "internal.example" } }),

            // Direct response.
            Route("direct", new { pathPrefix = "/direct" }, new { directResponse = new { status = 418, body = "short and stout", contentType = "text/plain; charset=utf-8" } }),

            // CORS.
            Route("cors", new { pathPrefix = "/cors" }, new
            {
                cors = new
                {
                    allowOrigins = new[] { "https://app.example.com", "https://*.trusted.com" },
                    allowMethods = new[] { "GET", "PUT" },
                    allowHeaders = new[] { "x-custom" },
                    exposeHeaders = new[] { "x-upstream" },
                    allowCredentials = true,
                    maxAgeSeconds = 600,
                },
            }),

            // Timeouts and retries.
            Route("request-timeout", new { pathPrefix = "/timeout/request" }, new { timeouts = new { requestMs = 300 } }, To(Flaky)),
            Route("try-timeout", new { pathPrefix = "/timeout/try" }, new
            {
                timeouts = new { requestMs = 20_000, backendRequestMs = 400 },
                retry = new { attempts = 2, backoffBaseMs = 1 },
            }, To(Flaky)),
            Route("retry", new { pathPrefix = "/retry" }, new { retry = new { attempts = 2, backoffBaseMs = 1 } }, To(Flaky)),
            Route("retry-post", new { pathPrefix = "/retry-post" }, new { retry = new { attempts = 2, backoffBaseMs = 1, allowNonIdempotent = true } }, To(Flaky)),
            Route("retry-statuses", new { pathPrefix = "/retry-statuses" }, new { retry = new { attempts = 1, backoffBaseMs = 1, statusCodes = new[] { 429 } } }, To(Flaky)),

            // Credentials the gateway checked stay at the gateway.
            Route("api-key", new { pathPrefix = "/api-key" }, new { apiKeyAuth = new { keys = new[] { new { id = "k1", key = new { inline = "the-key" } } } } }),

            // Traffic policies on an MCP route: CORS also lets its origins past the DNS-rebinding check.
            new
            {
                tenant = "acme",
                name = "mcp-cors",
                path = "/mcp-cors",
                policies = Merge(new { cors = new { allowOrigins = new[] { "https://app.example.com" }, allowMethods = new[] { "GET", "POST", "DELETE" }, allowHeaders = new[] { "*" } } }, "mcp-cors"),
                mcp = new { targets = new[] { new { name = "down", streamableHttp = new { url = "http://127.0.0.1:9/mcp" } } } },
            },

            // Traffic policies on A2A routes (the flaky echo stands in for the agent).
            A2a("a2a-traffic", new
            {
                requestHeaders = new { set = new[] { new { name = "x-gateway", value = "a2a" } } },
                retry = new { attempts = 2, backoffBaseMs = 1, allowNonIdempotent = true },
                mirrors = new[] { new { url = MirrorTarget.Address.ToString() } },
            }),
            A2a("a2a-timeout", new { timeouts = new { requestMs = 300 } }),

            // Mirrors.
            Route("mirror", new { pathPrefix = "/mirror" }, new { mirrors = new[] { new { url = MirrorTarget.Address.ToString() } } }),
            Route("mirror-down", new { pathPrefix = "/mirror-down" }, new { mirrors = new[] { new { url = "http://127.0.0.1:9" } } }),
        ];
    }

    /// <summary>The route's policies with a response header naming the route added.</summary>
    private static JsonElement Merge(object? policies, string route)
    {
        var element = JsonSerializer.SerializeToNode(policies ?? new { })!.AsObject();
        var response = element["responseHeaders"]?.AsObject() ?? new System.Text.Json.Nodes.JsonObject();
        var add = response["add"]?.AsArray() ?? [];
        add.Add(new System.Text.Json.Nodes.JsonObject { ["name"] = "x-route", ["value"] = route });
        response["add"] = add;
        element["responseHeaders"] = response;
        return JsonSerializer.SerializeToElement(element);
    }

    /// <summary>Sends a request through the proxy.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestMessage>? configure = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        configure?.Invoke(request);
        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>The route that answered (its x-route header) and the status.</summary>
    public async Task<string> RouteOfAsync(HttpMethod method, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await SendAsync(method, path, configure);
        return response.Headers.TryGetValues("x-route", out var values) ? string.Join(",", values) : $"status {(int)response.StatusCode}";
    }

    /// <summary>A response header's values joined with ',' without spaces ("" when absent).</summary>
    public static string HeaderOf(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values).Replace(" ", string.Empty, StringComparison.Ordinal)
            : string.Empty;

    /// <summary>What the upstream received, as it echoed it.</summary>
    public static async Task<EchoedRequest> EchoOfAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<EchoedRequest>(TestContext.Current.CancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        foreach (var upstream in new[] { Primary, Secondary, Flaky, MirrorTarget })
        {
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }
        }
    }
}
