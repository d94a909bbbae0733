using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Tests.Identity;

public sealed class IdentityIssuerTests(IdentityServerFixture identity) : IClassFixture<IdentityServerFixture>
{
    private static readonly string[] s_expectedPlatformAdminRoles = ["platform-admin"];
    private static readonly string[] s_expectedProxyRoles = ["proxy"];

    [Fact]
    public async Task Discovery_UsesKeycloakPathsUnderTheRealm()
    {
        using var http = new HttpClient();
        var document = await GetJsonAsync(http, new Uri(identity.Issuer + "/.well-known/openid-configuration"));

        var issuer = identity.Issuer.ToString().TrimEnd('/');
        Assert.Equal(issuer, document.GetProperty("issuer").GetString());
        Assert.Equal(issuer + "/protocol/openid-connect/auth", document.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(issuer + "/protocol/openid-connect/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal(issuer + "/protocol/openid-connect/certs", document.GetProperty("jwks_uri").GetString());
        Assert.Equal(issuer + "/protocol/openid-connect/userinfo", document.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(issuer + "/protocol/openid-connect/logout", document.GetProperty("end_session_endpoint").GetString());
        var grants = document.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Contains("authorization_code", grants);
        Assert.Contains("refresh_token", grants);
        Assert.Contains("client_credentials", grants);
        Assert.Contains("password", grants);
    }

    [Fact]
    public async Task PasswordGrant_IssuesRs256JwtWithKeycloakClaims()
    {
        using var http = new HttpClient();
        var token = await RequestTokenAsync(http, new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "agentgateway-cli",
            ["client_secret"] = "cli-secret",
            ["username"] = "admin",
            ["password"] = "admin",
        });

        var result = await ValidateAsync(http, token);

        Assert.True(result.IsValid, result.Exception?.ToString());
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("admin", jwt.GetClaim("preferred_username").Value);
        Assert.Equal("admin@agentgateway.local", jwt.GetClaim("email").Value);
        Assert.Equal("Platform Admin", jwt.GetClaim("name").Value);
        Assert.Equal("agentgateway-cli", jwt.GetClaim("azp").Value);
        // The realm's audience, and the gateway's: the CLI client's tokens carry it (Identity:Clients:N:TokenAudiences).
        Assert.Equal(["agentgateway", "agentgateway-proxy"], jwt.Audiences);
        Assert.False(string.IsNullOrEmpty(jwt.Subject));
        Assert.Equal(s_expectedPlatformAdminRoles, RealmRoles(jwt));
    }

    [Fact]
    public async Task ClientCredentials_IssuesServiceAccountTokenWithClientRoles()
    {
        using var http = new HttpClient();
        var token = await RequestTokenAsync(http, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "agentgateway-proxy",
            ["client_secret"] = "proxy-secret",
        });

        var result = await ValidateAsync(http, token);

        Assert.True(result.IsValid, result.Exception?.ToString());
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("service-account-agentgateway-proxy", jwt.GetClaim("preferred_username").Value);
        Assert.Equal("agentgateway-proxy", jwt.GetClaim("azp").Value);
        Assert.Equal(s_expectedProxyRoles, RealmRoles(jwt));
    }

    [Fact]
    public async Task PasswordGrant_WithWrongPassword_ReturnsInvalidGrant()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(identity.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "agentgateway-cli",
            ["client_secret"] = "cli-secret",
            ["username"] = "admin",
            ["password"] = "not-the-password",
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ClientCredentials_WithWrongSecret_ReturnsInvalidClient()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(identity.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "agentgateway-proxy",
            ["client_secret"] = "wrong",
        }), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("invalid_client", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AuthorizationEndpoint_WithoutSession_ShowsAccessibleLoginForm()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true, UseCookies = true });
        var url = identity.Issuer + "/protocol/openid-connect/auth?client_id=agentgateway-cli&response_type=code"
            + "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope=openid";

        // agentgateway-cli may not use the code flow, so OpenIddict rejects the request before any login page.
        using var rejected = await http.GetAsync(new Uri(url), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);

        var login = await http.GetStringAsync(
            new Uri(identity.Issuer + "/login-actions/authenticate?returnUrl=%2F"), TestContext.Current.CancellationToken);
        Assert.Contains("<label for=\"username\">", login, StringComparison.Ordinal);
        Assert.Contains("id=\"username\"", login, StringComparison.Ordinal);
        Assert.Contains("<label for=\"password\">", login, StringComparison.Ordinal);
        Assert.Contains("id=\"password\"", login, StringComparison.Ordinal);
        Assert.Contains(">Sign in</button>", login, StringComparison.Ordinal);
    }

    private async Task<string> RequestTokenAsync(HttpClient http, Dictionary<string, string> form)
    {
        using var response = await http.PostAsync(identity.TokenEndpoint, new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("Bearer", document.RootElement.GetProperty("token_type").GetString());
        return document.RootElement.GetProperty("access_token").GetString()!;
    }

    private async Task<TokenValidationResult> ValidateAsync(HttpClient http, string token)
    {
        var jwks = await http.GetStringAsync(new Uri(identity.Issuer + "/protocol/openid-connect/certs"), TestContext.Current.CancellationToken);
        var keys = new JsonWebKeySet(jwks).GetSigningKeys();
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = identity.Issuer.ToString().TrimEnd('/'),
            ValidAudience = "agentgateway",
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
    }

    private static string[] RealmRoles(JsonWebToken jwt)
    {
        using var realmAccess = JsonDocument.Parse(jwt.GetClaim("realm_access").Value);
        Assert.Equal(JsonValueKind.Object, realmAccess.RootElement.ValueKind);
        return [.. realmAccess.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)];
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, Uri uri) =>
        await http.GetFromJsonAsync<JsonElement>(uri, TestContext.Current.CancellationToken);
}
