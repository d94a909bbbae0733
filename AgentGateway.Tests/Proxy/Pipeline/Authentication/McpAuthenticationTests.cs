using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;

namespace AgentGateway.Tests.Proxy.Pipeline.Authentication;

/// <summary>MCP authentication (OAuth 2.1 resource server, RFC 9728): metadata, challenges, audience binding, scopes and step-up.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class McpAuthenticationTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string Resource => gateway.Route("mcpauth").ToString();

    private string Token(params string[] scopes) =>
        gateway.Issuer.Token(Resource, claims => claims["scope"] = string.Join(' ', scopes));

    [Fact]
    public async Task ProtectedResourceMetadata_IsPublishedAtThePathInsertedWellKnownUrl()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(gateway.Proxy.BaseAddress, "/.well-known/oauth-protected-resource/acme/mcpauth"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var metadata = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal(Resource, metadata.GetProperty("resource").GetString());
        Assert.Equal([gateway.Issuer.Issuer], metadata.GetProperty("authorization_servers").EnumerateArray().Select(server => server.GetString()));
        Assert.Equal(["mcp:tools", "tools:admin"], metadata.GetProperty("scopes_supported").EnumerateArray().Select(scope => scope.GetString()));
        Assert.Equal("Acme tools", metadata.GetProperty("resource_name").GetString());

        // Routes without MCP authentication publish none.
        using var none = await http.GetAsync(new Uri(gateway.Proxy.BaseAddress, "/.well-known/oauth-protected-resource/acme/jwt"), Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task AnUnauthenticatedRequest_GetsAChallengePointingAtTheMetadata()
    {
        using var response = await gateway.InitializeAsync("mcpauth", Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"resource_metadata=\"{new Uri(gateway.Proxy.BaseAddress, "/.well-known/oauth-protected-resource/acme/mcpauth")}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"mcp:tools tools:admin\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain("error=", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensAreBoundToTheRoutesCanonicalUri_AndMustCarryTheRequiredScopes()
    {
        using var forAnotherResource = await gateway.InitializeAsync("mcpauth", Cancellation,
            gateway.Issuer.Token(gateway.Route("jwt").ToString(), claims => claims["scope"] = "mcp:tools"));
        Assert.Equal(HttpStatusCode.Unauthorized, forAnotherResource.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(forAnotherResource.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);

        using var withoutScope = await gateway.InitializeAsync("mcpauth", Cancellation, Token("profile"));
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        var challenge = Assert.Single(withoutScope.Headers.WwwAuthenticate).Parameter!;
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"mcp:tools\"", challenge, StringComparison.Ordinal);

        using var accepted = await gateway.InitializeAsync("mcpauth", Cancellation, Token("mcp:tools"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task AnOperationNeedingMoreScopes_AsksForStepUp_AndTheClientTokenIsNeverForwarded()
    {
        var token = Token("mcp:tools");
        await using var client = await gateway.ConnectAsync("mcpauth", Cancellation, PolicyGatewayFixture.Bearer(token));
        Assert.Equal("ok", (await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "ok" }, cancellationToken: Cancellation)).Content
            .OfType<ModelContextProtocol.Protocol.TextContentBlock>().Single().Text);

        // The headers tool needs tools:admin: the call is refused and the challenge names the scopes to get.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.CallToolAsync("headers", cancellationToken: Cancellation).AsTask());
        Assert.Contains("403", refused.ToString(), StringComparison.Ordinal);
        using (var raw = await StepUpProbeAsync(token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, raw.StatusCode);
            var challenge = Assert.Single(raw.Headers.WwwAuthenticate).Parameter!;
            Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
            Assert.Contains("scope=\"mcp:tools tools:admin\"", challenge, StringComparison.Ordinal);
        }

        await using var admin = await gateway.ConnectAsync("mcpauth", Cancellation, PolicyGatewayFixture.Bearer(Token("mcp:tools", "tools:admin")));
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(admin, Cancellation);
        Assert.False(upstream.GetProperty("headers").TryGetProperty("authorization", out _), "The client's token reached the upstream.");
    }

    /// <summary>A stateless tools/call of the step-up tool, as raw HTTP, to see the status and challenge.</summary>
    private async Task<HttpResponseMessage> StepUpProbeAsync(string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.Route("mcpauth"))
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"headers","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", "2026-07-28");
        request.Headers.TryAddWithoutValidation("Mcp-Method", "tools/call");
        request.Headers.TryAddWithoutValidation("Mcp-Name", "headers");
        var response = await http.SendAsync(request, Cancellation);
        await response.Content.LoadIntoBufferAsync(Cancellation);
        return response;
    }
}
