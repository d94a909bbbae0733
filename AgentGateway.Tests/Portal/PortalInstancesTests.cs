using System.Net;
using System.Text.RegularExpressions;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Identity;

namespace AgentGateway.Tests.Portal;

/// <summary>
/// Two Portal processes sharing one Redis, as replicas behind a load balancer, and the local issuer that knows both
/// as redirect URIs of the Portal client.
/// </summary>
public sealed class PortalInstancesFixture : IAsyncLifetime
{
    private readonly int[] _ports = [ServiceProcess.GetFreePort(), ServiceProcess.GetFreePort()];

    public IdentityServerFixture Identity { get; } = new();

    public RedisServer Redis { get; private set; } = null!;

    public ServiceProcess[] Portals { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        for (var index = 0; index < _ports.Length; index++)
        {
            Identity.AdditionalConfiguration[$"Identity:Clients:2:RedirectUris:{index + 1}"] = $"http://127.0.0.1:{_ports[index]}/signin-oidc";
            Identity.AdditionalConfiguration[$"Identity:Clients:2:PostLogoutRedirectUris:{index + 1}"] = $"http://127.0.0.1:{_ports[index]}/signout-callback-oidc";
        }

        await Identity.InitializeAsync();
        Redis = await RedisServer.StartAsync(cancellationToken);
        var settings = new Dictionary<string, string>
        {
            ["Identity:Authority"] = Identity.Issuer.ToString().TrimEnd('/'),
            ["Identity:ClientId"] = "agentgateway-portal",
            ["Identity:ClientSecret"] = "portal-secret",
            ["AdminApi:BaseUrl"] = "http://127.0.0.1:9",
            ["ConnectionStrings:redis"] = Redis.ConnectionString,
        };
        Portals = await Task.WhenAll(_ports.Select(port => ServiceProcess.StartAsync("AgentGateway.Portal", settings, cancellationToken, port)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var portal in Portals)
        {
            await portal.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        await Identity.DisposeAsync();
    }
}

/// <summary>Any Portal instance serves any signed-in user, and signing out on one ends the session on all.</summary>
public sealed partial class PortalInstancesTests(PortalInstancesFixture fixture) : IClassFixture<PortalInstancesFixture>
{
    private const string AuthCookie = "agentgateway.portal";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Uri A => fixture.Portals[0].BaseAddress;

    private Uri B => fixture.Portals[1].BaseAddress;

    [Fact]
    public async Task SignInStartedOnOneInstance_EndsOnTheOther_EitherServesTheSession_AndSignOutOnOneEndsItOnBoth()
    {
        using var issuer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }, disposeHandler: true);
        using var browser = new PortalCookies();

        // The sign-in starts on A; the issuer's answer comes back to B, which reads the state A protected.
        using var challenge = await browser.SendAsync(HttpMethod.Get, new Uri(A, "/login?returnUrl=/"));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var (callback, form) = await SignInAtIssuerAsync(issuer, challenge.Headers.Location!);
        Assert.Equal(A.Port, callback.Port);
        using var finished = await browser.SendAsync(HttpMethod.Post, new UriBuilder(callback) { Port = B.Port }.Uri, new FormUrlEncodedContent(form));
        Assert.True(finished.StatusCode == HttpStatusCode.Redirect, $"{(int)finished.StatusCode} {await finished.Content.ReadAsStringAsync(Cancellation)}\n{fixture.Portals[1].Output}");
        var session = browser.Jar[AuthCookie];

        // The cookie carries who signed in, not the tokens: those are on the server, shared by the instances.
        Assert.True(session.Length < 2000, $"The auth cookie is {session.Length} characters.");
        Assert.Equal(HttpStatusCode.OK, await HomeAsync(session, A));
        Assert.Equal(HttpStatusCode.OK, await HomeAsync(session, B));

        // Signing out on B ends the session, for any copy of the cookie, on A too.
        using (var signOut = await browser.SendAsync(HttpMethod.Get, new Uri(B, "/logout")))
        {
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.Contains("id_token_hint=", signOut.Headers.Location!.Query, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Redirect, await HomeAsync(session, A));
        Assert.Equal(HttpStatusCode.Redirect, await HomeAsync(session, B));
    }

    /// <summary>The status of the Portal's home page for a visitor with the auth cookie <paramref name="session"/>: 200, or a redirect to sign in.</summary>
    private static async Task<HttpStatusCode> HomeAsync(string session, Uri portal)
    {
        using var visitor = new PortalCookies();
        visitor.Jar[AuthCookie] = session;
        using var response = await visitor.SendAsync(HttpMethod.Get, new Uri(portal, "/"));
        return response.StatusCode;
    }

    /// <summary>
    /// A browser's cookies for the Portal, which sends its sign-in cookies with <c>Secure</c> even over HTTP (as browsers
    /// do for localhost) and whose instances share one host.
    /// </summary>
    private sealed class PortalCookies : IDisposable
    {
        private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }, disposeHandler: true);

        public Dictionary<string, string> Jar { get; } = new(StringComparer.Ordinal);

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            if (Jar.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", Jar.Select(cookie => $"{cookie.Key}={cookie.Value}")));
            }

            var response = await _http.SendAsync(request, Cancellation);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';')[0];
                var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    Jar.Remove(name);
                }
                else
                {
                    Jar[name] = value;
                }
            }

            return response;
        }

        public void Dispose() => _http.Dispose();
    }

    /// <summary>Follows the issuer's sign-in form as <c>developer</c>; returns the answer the browser is to post back to the Portal.</summary>
    private static async Task<(Uri Callback, Dictionary<string, string> Form)> SignInAtIssuerAsync(HttpClient browser, Uri authorize)
    {
        using var toLogin = await browser.GetAsync(authorize, Cancellation);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var loginUrl = new Uri(authorize, toLogin.Headers.Location!);
        var form = await browser.GetStringAsync(loginUrl, Cancellation);
        var fields = HiddenInput().Matches(form).ToDictionary(match => match.Groups["name"].Value, match => WebUtility.HtmlDecode(match.Groups["value"].Value));
        fields["username"] = "developer";
        fields["password"] = "developer";
        using var signedIn = await browser.PostAsync(loginUrl, new FormUrlEncodedContent(fields), Cancellation);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // The Portal asks for the answer as a form the browser posts back (response_mode=form_post).
        var answer = await browser.GetStringAsync(new Uri(loginUrl, signedIn.Headers.Location!), Cancellation);
        var action = FormAction().Match(answer);
        Assert.True(action.Success, answer);
        var posted = HiddenInput().Matches(answer).ToDictionary(match => match.Groups["name"].Value, match => WebUtility.HtmlDecode(match.Groups["value"].Value));
        return (new Uri(WebUtility.HtmlDecode(action.Groups["url"].Value)), posted);
    }

    [GeneratedRegex("<form[^>]*action=\"(?<url>[^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
