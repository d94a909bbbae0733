using System.Net;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Pipeline.Authentication;

/// <summary>API keys: in their header or as a bearer token, unknown and expired keys refused, the key never forwarded.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class ApiKeyAuthenticationTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AValidKey_InTheKeyHeaderOrAsBearer_IsAccepted_AndNotForwarded()
    {
        await using var byHeader = await gateway.ConnectAsync("keys", Cancellation, new Dictionary<string, string> { ["X-Api-Key"] = PolicyGatewayFixture.ApiKey });
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(byHeader, Cancellation);
        Assert.False(upstream.GetProperty("headers").TryGetProperty("x-api-key", out _), "The API key reached the upstream.");

        await using var byBearer = await gateway.ConnectAsync("keys", Cancellation, PolicyGatewayFixture.Bearer(PolicyGatewayFixture.ApiKey));
        var echo = await byBearer.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "keyed" }, cancellationToken: Cancellation);
        Assert.Equal("keyed", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("unknown", "agk_not_a_key")]
    [InlineData("expired", PolicyGatewayFixture.ExpiredApiKey)]
    public async Task MissingUnknownAndExpiredKeys_AreRefused(string kind, string? key)
    {
        using var response = await gateway.InitializeAsync("keys", Cancellation, headers: key is null ? null : new Dictionary<string, string> { ["X-Api-Key"] = key });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains(kind switch { "expired" => "expired", "unknown" => "not valid", _ => "Authentication required" }, body, StringComparison.Ordinal);
    }
}
