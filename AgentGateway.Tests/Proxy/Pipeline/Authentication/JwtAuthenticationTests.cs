using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Pipeline.Authentication;

/// <summary>JWT authentication of a route: what passes, every way a token is forged or misused, key rotation, sessions bound to their caller.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class JwtAuthenticationTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string> Attacks() =>
    [
        "alg none", "HS256 keyed with the RSA public key", "expired", "not yet valid", "wrong issuer", "wrong audience",
        "unknown key id", "signed by a key the issuer does not publish under a published key id", "tampered payload",
        "no expiry", "required claim missing", "required claim with a value not accepted", "not a JWT",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task ForgedOrMisusedTokens_AreRefusedWith401AndAChallenge(string attack)
    {
        var issuer = gateway.Issuer;
        var valid = gateway.Token();
        var token = attack switch
        {
            "alg none" => TestJwtIssuer.Unsigned(valid),
            "HS256 keyed with the RSA public key" => issuer.HmacWithPublicKey(valid),
            "expired" => gateway.Token(change: claims => claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()),
            "not yet valid" => gateway.Token(change: claims => claims["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()),
            "wrong issuer" => issuer.Token(PolicyGatewayFixture.Audience, claims => claims["tier"] = "gold", issuer: "https://evil.test"),
            "wrong audience" => issuer.Token("another-api", claims => claims["tier"] = "gold"),
            "unknown key id" => issuer.Token(PolicyGatewayFixture.Audience, claims => claims["tier"] = "gold", keyId: "rogue"),
            "signed by a key the issuer does not publish under a published key id" => Reheader(issuer.Token(PolicyGatewayFixture.Audience, claims => claims["tier"] = "gold", keyId: "rogue")),
            "tampered payload" => TestJwtIssuer.Tampered(valid),
            "no expiry" => gateway.Token(change: claims => claims.Remove("exp")),
            "required claim missing" => gateway.Token(change: claims => claims.Remove("tier")),
            "required claim with a value not accepted" => gateway.Token(change: claims => claims["tier"] = "bronze"),
            _ => "not-a-jwt",
        };

        using var response = await gateway.InitializeAsync("jwt", Cancellation, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error");
        Assert.Equal(-32040, error.GetProperty("code").GetInt32());
        Assert.StartsWith("Authentication failed", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The same request with the valid token passes: what failed was the forgery, nothing else.
        using var control = await gateway.InitializeAsync("jwt", Cancellation, valid);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
    }

    [Fact]
    public async Task StrictRoute_WithoutAToken_Is401_OptionalRouteLetsAnonymousCallersIn_ButNotBadTokens()
    {
        using var missing = await gateway.InitializeAsync("jwt", Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("realm=\"agentgateway\"", Assert.Single(missing.Headers.WwwAuthenticate).Parameter);

        using var anonymous = await gateway.InitializeAsync("jwt-optional", Cancellation);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        using var bad = await gateway.InitializeAsync("jwt-optional", Cancellation, TestJwtIssuer.Tampered(gateway.Token()));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);

        await using var client = await gateway.ConnectAsync("jwt", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token()));
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hi" }, cancellationToken: Cancellation);
        Assert.Equal("hi", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
    }

    [Fact]
    public async Task ATokenSignedWithARotatedInKey_IsAcceptedWithoutWaitingForTheKeyCache()
    {
        // The route has fetched the issuer's keys (only k1) for earlier tokens.
        using (var first = await gateway.InitializeAsync("jwt", Cancellation, gateway.Token()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var fetches = gateway.Issuer.JwksRequests;
        gateway.Issuer.Publish("k2");
        var rotated = gateway.Issuer.Token(PolicyGatewayFixture.Audience, claims => claims["tier"] = "silver", keyId: "k2");

        // Keys are fetched again at most once a second here (Policies:JwksMinRefreshInterval); an earlier test's forged
        // key id may have just used that up.
        HttpStatusCode status = default;
        for (var attempt = 0; attempt < 10 && status != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 300, Cancellation);
            using var response = await gateway.InitializeAsync("jwt", Cancellation, rotated);
            status = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(gateway.Issuer.JwksRequests > fetches, "The unknown key id should have fetched the keys again.");
    }

    [Fact]
    public async Task ASessionOpenedByOneCaller_IsUnknownToAnother()
    {
        await using var alice = await gateway.ConnectAsync("jwt", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("alice")), "2025-11-25");
        var sessionId = alice.SessionId!;
        Assert.NotNull((await alice.ListToolsAsync(cancellationToken: Cancellation)).FirstOrDefault(tool => tool.Name == "echo"));

        using var http = new HttpClient();
        using var stolen = new HttpRequestMessage(HttpMethod.Post, gateway.Route("jwt"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":7,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        stolen.Headers.Accept.ParseAdd("application/json, text/event-stream");
        stolen.Headers.TryAddWithoutValidation("Mcp-Session-Id", sessionId);
        stolen.Headers.Authorization = new("Bearer", gateway.Token("mallory"));
        using var response = await http.SendAsync(stolen, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheRealLocalIssuer_TokensAreValidatedThroughDiscovery()
    {
        var token = await gateway.IdentityTokenAsync("developer", Cancellation);
        await using var client = await gateway.ConnectAsync("backend-exchange", Cancellation, PolicyGatewayFixture.Bearer(token));
        Assert.Contains(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "headers");

        using var refused = await gateway.InitializeAsync("backend-exchange", Cancellation, gateway.Token());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var stranger = await gateway.ConnectAsync("backend-exchange", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token()));
        });
    }

    /// <summary>A token signed by an unpublished key but claiming a published key id.</summary>
    private static string Reheader(string token)
    {
        var parts = token.Split('.');
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"RS256","typ":"JWT","kid":"k1"}""");
        return $"{header}.{parts[1]}.{parts[2]}";
    }
}
