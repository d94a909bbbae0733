using System.Text.Json;
using AgentGateway.Tests.Proxy.Pipeline;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AgentGateway.Tests.Proxy.Upstream.Auth;

/// <summary>How the gateway authenticates to backends: what the upstream receives for each method.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class BackendAuthTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private async Task<JsonElement> UpstreamHeadersAsync(string route, IDictionary<string, string>? headers = null)
    {
        await using var client = await gateway.ConnectAsync(route, Cancellation, headers);
        return (await PolicyGatewayFixture.UpstreamRequestAsync(client, Cancellation)).GetProperty("headers");
    }

    [Fact]
    public async Task AStaticHeader_CarriesTheSecretReadFromAFile()
    {
        var headers = await UpstreamHeadersAsync("backend-static");
        Assert.Equal(gateway.StaticKey, headers.GetProperty("x-api-key").GetString());
    }

    [Fact]
    public async Task AnMcpRoutesRequestHeaderChanges_GoOnTheRequestsToItsTargets()
    {
        var headers = await UpstreamHeadersAsync("mcp-headers");
        Assert.Equal("mcp-headers", headers.GetProperty("x-gateway-route").GetString());
        Assert.Equal("one, two", headers.GetProperty("x-added").GetString());

        var plain = await UpstreamHeadersAsync("rbac", PolicyGatewayFixture.Bearer(gateway.Token("alice")));
        Assert.False(plain.TryGetProperty("x-gateway-route", out _));
    }

    [Fact]
    public async Task Passthrough_ForwardsTheClientsOwnToken_WhichOtherwiseNeverLeavesTheGateway()
    {
        var token = gateway.Token("alice");
        var forwarded = await UpstreamHeadersAsync("backend-passthrough", PolicyGatewayFixture.Bearer(token));
        Assert.Equal("Bearer " + token, forwarded.GetProperty("authorization").GetString());

        var kept = await UpstreamHeadersAsync("rbac", PolicyGatewayFixture.Bearer(token));
        Assert.False(kept.TryGetProperty("authorization", out _));
    }

    [Fact]
    public async Task ClientCredentials_SendTheGatewaysOwnTokenFromTheRealIssuer()
    {
        var headers = await UpstreamHeadersAsync("backend-cc");
        var token = new JsonWebToken(Bearer(headers));
        Assert.Equal(gateway.Identity.Issuer.ToString().TrimEnd('/'), token.Issuer);
        Assert.Equal("agentgateway-proxy", token.GetClaim("azp").Value);
        Assert.Contains("http://probe.test/", token.Audiences);
    }

    [Fact]
    public async Task TokenExchange_TradesTheCallersTokenForOneMeantForTheBackend_OnTheCallersBehalf()
    {
        var userToken = await gateway.IdentityTokenAsync("developer", Cancellation);
        var headers = await UpstreamHeadersAsync("backend-exchange", PolicyGatewayFixture.Bearer(userToken));

        var exchanged = new JsonWebToken(Bearer(headers));
        var original = new JsonWebToken(userToken);
        Assert.NotEqual(userToken, Bearer(headers));
        Assert.Equal(original.Subject, exchanged.Subject);
        Assert.Equal("developer", exchanged.GetClaim("preferred_username").Value);
        Assert.Equal(["urn:probe"], exchanged.Audiences);
        using var actor = JsonDocument.Parse(exchanged.GetClaim("act").Value);
        Assert.Equal("agentgateway-proxy", actor.RootElement.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task AwsSigV4_SignsEveryRequestForTheRegionAndService()
    {
        var headers = await UpstreamHeadersAsync("backend-aws");
        var authorization = headers.GetProperty("authorization").GetString()!;
        var date = headers.GetProperty("x-amz-date").GetString()!;
        Assert.Matches(@"^\d{8}T\d{6}Z$", date);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={PolicyGatewayFixture.AwsAccessKey}/{date[..8]}/us-east-1/execute-api/aws4_request, SignedHeaders=", authorization, StringComparison.Ordinal);
        Assert.Contains("content-type;host;x-amz-date", authorization, StringComparison.Ordinal);
        Assert.Matches("Signature=[0-9a-f]{64}$", authorization);
    }

    [Fact]
    public async Task GoogleIdentityTokens_AreObtainedWithTheServiceAccountKey_ForTheConfiguredAudience()
    {
        var headers = await UpstreamHeadersAsync("backend-gcp");
        var token = new JsonWebToken(Bearer(headers));
        Assert.Equal(["https://backend.test"], token.Audiences);
        Assert.Equal("gateway@project.iam.gserviceaccount.com", token.GetClaim("email").Value);
    }

    [Fact]
    public async Task GoogleAccessTokens_AreObtainedWithTheServiceAccountKey_ForTheConfiguredScopes_AndReused()
    {
        var issued = gateway.Probe.GoogleAccessTokens;
        var first = Bearer(await UpstreamHeadersAsync("backend-gcp-access"));
        Assert.Equal("ya29.https://www.googleapis.com/auth/cloud-platform.read-only", first);
        Assert.Equal(first, Bearer(await UpstreamHeadersAsync("backend-gcp-access")));
        Assert.Equal(issued + 1, gateway.Probe.GoogleAccessTokens);
    }

    [Fact]
    public async Task TheProxysOwnGoogleIdentity_IsUsedOnlyWhereTheConfigAsksForIt()
    {
        // Asked for: the machine's own tokens, from its metadata server.
        var issued = gateway.Probe.MachineTokens;
        Assert.Equal("machine.https://www.googleapis.com/auth/cloud-platform", Bearer(await UpstreamHeadersAsync("backend-gcp-machine")));
        var identity = new JsonWebToken(Bearer(await UpstreamHeadersAsync("backend-gcp-machine-id")));
        Assert.Equal("machine@project.iam.gserviceaccount.com", identity.GetClaim("email").Value);
        Assert.Equal(issued + 2, gateway.Probe.MachineTokens);

        // Neither a key nor the ask: the route is refused, naming the field, and never falls back to the machine's identity.
        using var http = new HttpClient();
        var refused = await http.PostAsync(gateway.Route("backend-gcp-nobody"), new StringContent("{}"), Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("route 'acme/backend-gcp-nobody' refused", gateway.Proxy.Output, StringComparison.Ordinal);
        Assert.Contains("gcpAccessToken.serviceAccountKey: is required, or proxyIdentity: true", gateway.Proxy.Output, StringComparison.Ordinal);
        Assert.Equal(issued + 2, gateway.Probe.MachineTokens);
    }

    private static string Bearer(JsonElement headers)
    {
        var authorization = headers.GetProperty("authorization").GetString()!;
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        return authorization["Bearer ".Length..];
    }
}
