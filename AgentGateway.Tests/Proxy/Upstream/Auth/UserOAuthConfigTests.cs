using AgentGateway.Contracts;
using AgentGateway.Contracts.Json;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.Routing;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Config.File;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Tests.Proxy.Upstream.Auth;

/// <summary>
/// Users' own OAuth (backend-auth userOauth) as config: its fields checked where policies are, refused on backends that
/// cannot ask a caller to authorize, and refused by proxies in a standalone file (the tokens are kept by the control plane).
/// </summary>
public sealed class UserOAuthConfigTests
{
    private const string Spec = "{ authorizationUrl: 'https://github.com/login/oauth/authorize', tokenUrl: 'https://github.com/login/oauth/access_token', clientId: 'gw', scopes: ['repo'] }";

    private static List<ConfigError> Errors(string json)
    {
        var errors = new List<ConfigError>();
        var auth = ProtoJson.Parse<BackendAuth>(System.Text.Json.JsonDocument.Parse(json).RootElement, "auth", errors);
        Assert.Empty(errors);
        PolicyValidator.Validate(auth, "auth", SecretSources.SecretRef, errors);
        return errors;
    }

    [Fact]
    public void AUserOAuthSpec_NeedsItsEndpointsAndClient_AndTakesItsSecretByReference()
    {
        Assert.Empty(Errors("""
            {"userOauth": {"authorizationUrl": "https://github.com/login/oauth/authorize", "tokenUrl": "https://github.com/login/oauth/access_token",
              "clientId": "gw", "clientSecret": {"secretRef": "github"}, "scopes": ["repo", "read:org"], "revocationUrl": "https://api.github.com/revoke",
              "redirectUri": "https://portal.example.com/connections/callback"}}
            """));
        Assert.Equal(
            ["auth.userOauth.authorizationUrl", "auth.userOauth.tokenUrl", "auth.userOauth.clientId", "auth.userOauth.scopes", "auth.userOauth.redirectUri"],
            Errors("""{"userOauth": {"authorizationUrl": "github.com/authorize", "tokenUrl": "ftp://x/token", "scopes": ["two words"], "redirectUri": "https://p/cb#frag"}}""")
                .Select(error => error.Field));
        Assert.Contains(Errors("""{"userOauth": {"authorizationUrl": "https://a/", "tokenUrl": "https://a/t", "clientId": "gw", "clientSecret": {"inline": "s"}}}"""),
            error => error.Field == "auth.userOauth.clientSecret");
    }

    [Theory]
    [InlineData("mcp: { targets: [ { name: gh, streamableHttp: { url: 'https://mcp.example.com/mcp' }, auth: { userOauth: " + Spec + " } } ] }",
        "mcp.targets[0].auth.userOauth: needs the control plane's token vault")]
    [InlineData("http: { destinations: [ { name: a, url: 'https://api.example.com' } ], auth: { userOauth: " + Spec + " } }",
        "http.auth.userOauth: is for MCP servers only")]
    public void AStandaloneFile_RefusesUserOAuth_NamingWhy(string backend, string message)
    {
        var yaml = $"routes:\n  - tenant: acme\n    name: tools\n    path: /acme/tools\n    {backend}\n";

        var route = Assert.Single(GatewayFileParser.Parse(yaml).Routes);

        Assert.Contains(SnapshotValidator.ValidateRoute(route, HostGrantSet.Empty), error => error.StartsWith(message, StringComparison.Ordinal));
    }
}
