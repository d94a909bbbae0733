using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Identity;

public sealed partial class AuthorizationCodeFlowTests(IdentityServerFixture identity) : IClassFixture<IdentityServerFixture>
{
    [Fact]
    public async Task CodeFlowWithPkce_SignsInThroughTheForm_AndRefreshes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler);
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = new Uri(identity.Issuer + "/protocol/openid-connect/auth?client_id=agentgateway-portal&response_type=code"
            + "&scope=openid%20profile%20email&redirect_uri=" + Uri.EscapeDataString(IdentityServerFixture.PortalRedirectUri)
            + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s1&nonce=n1");

        // No session yet: the authorization endpoint sends the browser to the sign-in form.
        using var toLogin = await browser.GetAsync(authorize, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var loginUrl = new Uri(authorize, toLogin.Headers.Location!);
        var form = await browser.GetStringAsync(loginUrl, cancellationToken);

        // A wrong password shows the form again with an error.
        using var rejected = await browser.PostAsync(loginUrl, IssuerBrowser.LoginForm(form, "developer", "wrong"), cancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        var retry = await rejected.Content.ReadAsStringAsync(cancellationToken);
        Assert.Contains("role=\"alert\"", retry, StringComparison.Ordinal);

        using var signedIn = await browser.PostAsync(loginUrl, IssuerBrowser.LoginForm(retry, "developer", "developer"), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // Back at the authorization endpoint with a session: a code for the client's redirect URI.
        using var toClient = await browser.GetAsync(new Uri(authorize, signedIn.Headers.Location!), cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, toClient.StatusCode);
        var callback = toClient.Headers.Location!;
        Assert.StartsWith(IdentityServerFixture.PortalRedirectUri, callback.ToString(), StringComparison.Ordinal);
        var code = QueryValue(callback, "code");
        Assert.Equal("s1", QueryValue(callback, "state"));

        var tokens = await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = IdentityServerFixture.PortalRedirectUri,
            ["code_verifier"] = verifier,
        }, cancellationToken);
        var access = new JsonWebToken(tokens.GetProperty("access_token").GetString());
        Assert.Equal("developer", access.GetClaim("preferred_username").Value);
        Assert.Equal("agentgateway-portal", access.GetClaim("azp").Value);
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal("n1", idToken.GetClaim("nonce").Value);
        Assert.Equal("developer@agentgateway.local", idToken.GetClaim("email").Value);

        var refreshed = await TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
        }, cancellationToken);
        Assert.Equal("developer", new JsonWebToken(refreshed.GetProperty("access_token").GetString()).GetClaim("preferred_username").Value);

        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(identity.Issuer + "/protocol/openid-connect/userinfo"));
        userInfoRequest.Headers.Authorization = new("Bearer", refreshed.GetProperty("access_token").GetString());
        using var userInfo = await browser.SendAsync(userInfoRequest, cancellationToken);
        var info = await userInfo.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.Equal("developer", info.GetProperty("preferred_username").GetString());
        Assert.Equal(JsonValueKind.Array, info.GetProperty("realm_access").GetProperty("roles").ValueKind);
    }

    [Fact]
    public async Task CodeFlow_WithoutPkce_IsRejected()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var authorize = new Uri(identity.Issuer + "/protocol/openid-connect/auth?client_id=agentgateway-portal&response_type=code"
            + "&scope=openid&redirect_uri=" + Uri.EscapeDataString(IdentityServerFixture.PortalRedirectUri) + "&state=s1");

        using var response = await browser.GetAsync(authorize, cancellationToken);

        // PKCE is required for the code flow: no code is issued and the error names the missing parameter.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code_challenge", await response.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMcpClient_RegistersItself_SignsInWithPkce_AndGetsATokenBoundToTheResource()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        var discovery = await http.GetFromJsonAsync<JsonElement>(identity.Issuer + "/.well-known/openid-configuration", cancellationToken);
        var registration = discovery.GetProperty("registration_endpoint").GetString()!;
        Assert.Equal(identity.Issuer + "/clients-registrations/openid-connect", registration);

        // What RFC 7591 refuses: a redirect to another machine over plain HTTP, a scheme a browser runs, a grant it does not give.
        foreach (var (metadata, error) in new (object, string)[]
        {
            (new { redirect_uris = new[] { "http://attacker.example/callback" } }, "invalid_redirect_uri"),
            (new { redirect_uris = new[] { "javascript:alert(1)" } }, "invalid_redirect_uri"),
            (new { redirect_uris = Array.Empty<string>() }, "invalid_redirect_uri"),
            (new { redirect_uris = new[] { "http://127.0.0.1:3334/callback" }, grant_types = new[] { "client_credentials" } }, "invalid_client_metadata"),
            (new { redirect_uris = new[] { "http://127.0.0.1:3334/callback" }, token_endpoint_auth_method = "private_key_jwt" }, "invalid_client_metadata"),
        })
        {
            using var refused = await http.PostAsJsonAsync(registration, metadata, cancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(error, (await refused.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("error").GetString());
        }

        // A public client on a loopback port, as Claude Code or VS Code register: no secret.
        const string redirect = "http://127.0.0.1:33418/callback";
        string clientId;
        using (var registered = await http.PostAsJsonAsync(registration, new
        {
            client_name = "Test MCP client",
            redirect_uris = new[] { redirect },
            grant_types = new[] { "authorization_code", "refresh_token" },
            token_endpoint_auth_method = "none",
        }, cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var client = await registered.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            clientId = client.GetProperty("client_id").GetString()!;
            Assert.False(client.TryGetProperty("client_secret", out _));
            Assert.Equal("none", client.GetProperty("token_endpoint_auth_method").GetString());
        }

        // The browser sign-in, with PKCE and the resource the token is for (RFC 8707).
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler);
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        const string resource = "http://probe.test/";
        var authorize = new Uri(identity.Issuer + $"/protocol/openid-connect/auth?client_id={clientId}&response_type=code&scope=openid%20offline_access"
            + "&redirect_uri=" + Uri.EscapeDataString(redirect) + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s2"
            + "&resource=" + Uri.EscapeDataString(resource));
        var tokens = await SignInAndExchangeAsync(browser, authorize, clientId, redirect, verifier, resource, cancellationToken);
        var access = new JsonWebToken(tokens.GetProperty("access_token").GetString());
        Assert.Equal([resource], access.Audiences);
        Assert.Equal((clientId, "developer"), (access.GetClaim("azp").Value, access.GetClaim("preferred_username").Value));
        Assert.True(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task AClientNamedByItsMetadataDocument_IsRegisteredFromIt_AndSignsIn()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        var discovery = await http.GetFromJsonAsync<JsonElement>(identity.Issuer + "/.well-known/openid-configuration", cancellationToken);
        Assert.True(discovery.GetProperty("client_id_metadata_document_supported").GetBoolean());

        // The client's documents, on a server of its own: one that names itself, one that names another client.
        const string redirect = "http://127.0.0.1:33421/callback";
        var port = Fixtures.ServiceProcess.GetFreePort();
        var clientId = $"http://127.0.0.1:{port}/clients/test-client.json";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var documents = builder.Build();
        documents.MapGet("/clients/test-client.json", () => Results.Json(new { client_id = clientId, client_name = "Test client", redirect_uris = new[] { redirect }, token_endpoint_auth_method = "none" }));
        documents.MapGet("/clients/impostor.json", () => Results.Json(new { client_id = "http://127.0.0.1/someone-else.json", redirect_uris = new[] { redirect } }));
        await documents.StartAsync(cancellationToken);

        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler);
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        Uri Authorize(string client) => new(identity.Issuer + $"/protocol/openid-connect/auth?client_id={Uri.EscapeDataString(client)}&response_type=code&scope=openid"
            + "&redirect_uri=" + Uri.EscapeDataString(redirect) + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=s3");

        // A document that names another client is refused, and nothing is registered for it.
        using (var impostor = await browser.GetAsync(Authorize($"http://127.0.0.1:{port}/clients/impostor.json"), cancellationToken))
        {
            // invalid_client, which the authorization endpoint answers with 401.
            Assert.Equal(HttpStatusCode.Unauthorized, impostor.StatusCode);
            Assert.Contains("does not name it", await impostor.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        }

        // A client id cannot make the issuer reach into its own network: cloud metadata is not a public address.
        using (var metadata = await browser.GetAsync(Authorize("https://169.254.169.254/latest/client.json"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, metadata.StatusCode);
            var refusal = await metadata.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(refusal.Contains("not a public address", StringComparison.Ordinal), refusal);
        }

        var tokens = await SignInAndExchangeAsync(browser, Authorize(clientId), clientId, redirect, verifier, null, cancellationToken);
        Assert.Equal(clientId, new JsonWebToken(tokens.GetProperty("access_token").GetString()).GetClaim("azp").Value);
    }

    [Fact]
    public async Task GeneratedHostileRegistrations_AreEachAnsweredCleanly_AndOnlySafeRedirectsRegister()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient();
        var registration = identity.Issuer + "/clients-registrations/openid-connect";
        string[] redirects =
        [
            "http://127.0.0.1:1234/cb", "https://app.example/cb", "cursor://anysphere.cursor/cb", "http://10.0.0.1/cb", "http://169.254.169.254/",
            "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://user:pass@app.example/cb", "https://app.example/cb#frag",
            "not a uri", "", "//app.example/cb", new string('x', 3000), "vbscript:x", "http://[::1]:9/cb", "HTTP://LOCALHOST/cb",
        ];
        string[] values = ["authorization_code", "refresh_token", "client_credentials", "password", "code", "token", "none", "client_secret_post", "private_key_jwt", ""];
        var random = new Random(71208);
        JsonNode? Value(int depth) => random.Next(6) switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => random.Next(-3, 1000),
            3 when depth < 3 => new JsonObject { ["k"] = Value(depth + 1) },
            4 => new JsonArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => (JsonNode?)JsonValue.Create(random.Next(2) == 0 ? redirects[random.Next(redirects.Length)] : values[random.Next(values.Length)])).ToArray()),
            _ => random.Next(2) == 0 ? redirects[random.Next(redirects.Length)] : values[random.Next(values.Length)],
        };

        var registered = 0;
        for (var index = 0; index < 120; index++)
        {
            string body;
            if (index % 20 == 0)
            {
                body = index % 40 == 0 ? "{not json" : "[1,2,3]";
            }
            else
            {
                var metadata = new JsonObject();
                foreach (var field in new[] { "redirect_uris", "grant_types", "response_types", "token_endpoint_auth_method", "client_name", "scope" })
                {
                    // A third of the bodies name redirect URIs alone, so that some are valid and what registers is checked.
                    if (index % 3 == 0)
                    {
                        metadata["redirect_uris"] = new JsonArray(JsonValue.Create(redirects[random.Next(redirects.Length)]));
                        break;
                    }

                    if (random.Next(3) > 0)
                    {
                        metadata[field] = field == "redirect_uris" && random.Next(2) == 0
                            ? new JsonArray(JsonValue.Create(redirects[random.Next(redirects.Length)]))
                            : Value(0);
                    }
                }

                body = metadata.ToJsonString();
            }

            using var response = await http.PostAsync(registration, new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {body}: {answer}");
            var json = JsonDocument.Parse(answer).RootElement;
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Contains(json.GetProperty("error").GetString(), new[] { "invalid_client_metadata", "invalid_redirect_uri" });
                continue;
            }

            registered++;
            Assert.StartsWith("mcp-", json.GetProperty("client_id").GetString(), StringComparison.Ordinal);
            foreach (var uri in json.GetProperty("redirect_uris").EnumerateArray().Select(uri => new Uri(uri.GetString()!)))
            {
                Assert.True(uri.Scheme == "https" || uri.IsLoopback || uri.Scheme is not ("http" or "javascript" or "data" or "file" or "vbscript"), uri.ToString());
                Assert.True(uri.UserInfo.Length == 0 && uri.Fragment.Length == 0, uri.ToString());
            }
        }

        Assert.True(registered > 0, "No generated registration was valid: the generator tests only refusals.");
    }

    /// <summary>
    /// A public client's code flow after its authorization request: the developer signs in through the form, the code
    /// comes back to <paramref name="redirect"/>, and is exchanged with the PKCE verifier (and the resource, when given).
    /// </summary>
    private async Task<JsonElement> SignInAndExchangeAsync(
        HttpClient browser, Uri authorize, string clientId, string redirect, string verifier, string? resource, CancellationToken cancellationToken)
    {
        var back = await IssuerBrowser.SignInAsync(browser, authorize, "developer", cancellationToken);
        Assert.StartsWith(redirect, back.ToString(), StringComparison.Ordinal);

        var exchange = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = QueryValue(back, "code"),
            ["redirect_uri"] = redirect,
            ["code_verifier"] = verifier,
        };
        if (resource is not null)
        {
            exchange["resource"] = resource;
        }

        using var http = new HttpClient();
        using var response = await http.PostAsync(identity.TokenEndpoint, new FormUrlEncodedContent(exchange), cancellationToken);
        var tokens = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, tokens.ToString());
        return tokens;
    }

    private async Task<JsonElement> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, identity.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("agentgateway-portal:portal-secret")));
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string QueryValue(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&')
            .Select(p => p.Split('=', 2))
            .Where(p => p[0] == name)
            .Select(p => Uri.UnescapeDataString(p[1]))
            .Single();
}
