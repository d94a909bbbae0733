using System.Net;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Pipeline.Authentication;

/// <summary>
/// MCP authorization end to end with the MCP C# SDK's OAuth client against the real local issuer: the client meets the
/// gateway's 401, finds the authorization server through the protected resource metadata, signs the user in (code
/// flow with PKCE and an RFC 8707 resource indicator), and its token — bound to the route — is accepted.
/// </summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed partial class McpOAuthClientTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSdkClient_DiscoversTheIssuer_SignsIn_AndCallsToolsWithATokenBoundToTheRoute()
    {
        var (echoed, token) = await SignInAndEchoAsync(new ClientOAuthOptions
        {
            ClientId = PolicyGatewayFixture.OAuthClientId,
            ClientSecret = PolicyGatewayFixture.OAuthClientSecret,
            RedirectUri = gateway.OAuthRedirectUri,
        }, "signed in");

        Assert.Equal("signed in", echoed);
        Assert.Equal("developer", token.GetClaim("preferred_username").Value);
        Assert.Equal([gateway.OAuthResource], token.Audiences);
    }

    [Fact]
    public async Task TheSdkClient_WithNoClientIdOfItsOwn_RegistersItselfWithTheIssuer_AndSignsIn()
    {
        // The way Claude, VS Code or Cursor connect on first use: no client id or secret configured anywhere.
        var (echoed, token) = await SignInAndEchoAsync(new ClientOAuthOptions
        {
            RedirectUri = new Uri("http://127.0.0.1:33420/callback"),
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "agentgateway tests" },
        }, "registered");

        Assert.Equal("registered", echoed);
        Assert.StartsWith("mcp-", token.GetClaim("azp").Value, StringComparison.Ordinal);
        Assert.Equal([gateway.OAuthResource], token.Audiences);
    }

    /// <summary>The SDK client with <paramref name="oauth"/>, the user signing in as a browser would: what echo answered, and the token it sent.</summary>
    private async Task<(string Echoed, JsonWebToken Token)> SignInAndEchoAsync(ClientOAuthOptions oauth, string message)
    {
        string? issuedToken = null;
        using var login = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true });
        oauth.AuthorizationCallbackHandler = (context, cancellationToken) => SignInAsync(login, context, "developer", cancellationToken);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = gateway.Route("oauth"), OAuth = oauth },
            new HttpClient(new TokenSpy(token => issuedToken = token) { InnerHandler = new HttpClientHandler() }));

        await using var client = await McpClient.CreateAsync(transport, cancellationToken: Cancellation);
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = message }, cancellationToken: Cancellation);
        return (Assert.IsType<TextContentBlock>(echo.Content[0]).Text, new JsonWebToken(issuedToken));
    }

    [Fact]
    public async Task TheTypeScriptSdkClient_RegistersItself_SignsIn_AndListsTools()
    {
        var report = await NodeScript.RunAsync(
            "node", Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "clients", "mcp-oauth-onboarding.mjs"),
            [gateway.Route("oauth").ToString(), "developer", "developer"], Cancellation);
        Assert.Equal("unauthorized", report.GetProperty("firstTry").GetString());
        Assert.StartsWith("mcp-", report.GetProperty("clientId").GetString(), StringComparison.Ordinal);
        Assert.Equal(report.GetProperty("clientId").GetString(), report.GetProperty("azp").GetString());
        Assert.Equal(gateway.OAuthResource, report.GetProperty("resource").GetString());
        Assert.Equal(gateway.OAuthResource, report.GetProperty("audience").ValueKind == JsonValueKind.Array
            ? report.GetProperty("audience")[0].GetString() : report.GetProperty("audience").GetString());
        Assert.Equal("developer", report.GetProperty("user").GetString());
        Assert.Contains("echo", report.GetProperty("tools").EnumerateArray().Select(tool => tool.GetString()));
    }

    /// <summary>What a browser does: follow the authorization URL to the sign-in form, sign in, and catch the redirect with the code.</summary>
    private static async Task<AuthorizationResult?> SignInAsync(HttpClient browser, AuthorizationCallbackContext context, string user, CancellationToken cancellationToken)
    {
        var callback = await IssuerBrowser.SignInAsync(browser, context.AuthorizationUri, user, cancellationToken);
        Assert.StartsWith(context.RedirectUri.ToString(), callback.ToString(), StringComparison.Ordinal);
        var query = callback.Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => Uri.UnescapeDataString(pair[1]));
        return new AuthorizationResult { Code = query["code"], State = query.GetValueOrDefault("state"), Iss = query.GetValueOrDefault("iss") };
    }

    /// <summary>Notes the bearer token the client sends, to see what the issuer gave it.</summary>
    private sealed class TokenSpy(Action<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } token })
            {
                seen(token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
