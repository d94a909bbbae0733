using System.Net;

namespace AgentGateway.Tests.Proxy.Pipeline.ExtAuthz;

/// <summary>External authorization in Envoy's ext_authz protocol, over gRPC and HTTP, against the probe's test service.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class ExternalAuthorizationTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Allow => new() { ["x-authz"] = "allow" };

    [Theory]
    [InlineData("authz-grpc", "grpc-user")]
    [InlineData("authz-http", "http-user")]
    public async Task TheServiceDecides_AndTheHeadersItAddsReachTheUpstream(string route, string user)
    {
        using var denied = await gateway.InitializeAsync(route, Cancellation, headers: new Dictionary<string, string> { ["x-authz"] = "deny" });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var body = await denied.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("-32041", body, StringComparison.Ordinal);
        Assert.Contains($"denied by the {(route == "authz-grpc" ? "gRPC" : "HTTP")} authz test service", body, StringComparison.Ordinal);

        await using var client = await gateway.ConnectAsync(route, Cancellation, Allow);
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(client, Cancellation);
        var headers = upstream.GetProperty("headers");
        Assert.Equal(user, headers.GetProperty("x-authz-user").GetString());
        Assert.False(headers.TryGetProperty("x-not-forwarded", out _), "A header the policy does not allow upstream was forwarded.");
    }

    [Fact]
    public async Task TheGrpcServiceSees_TheRequestTheSourceTheBodyAndTheContextExtensions()
    {
        while (gateway.Probe.AuthzChecks.TryDequeue(out _))
        {
        }

        using var response = await gateway.InitializeAsync("authz-grpc", Cancellation, headers: Allow);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var check = gateway.Probe.AuthzChecks.Single(entry => entry.GetValueOrDefault(":path") == "/acme/authz-grpc");
        Assert.Equal("POST", check[":method"]);
        Assert.Equal("127.0.0.1", check[":source"]);
        Assert.Equal("authz-grpc", check[":extension"]);
        Assert.Contains("\"method\":\"initialize\"", check[":body"], StringComparison.Ordinal);
        Assert.Equal("allow", check["x-authz"]);
    }

    [Fact]
    public async Task AnUnreachableService_DeniesByDefault_AndAllowsWhenTheFailureModeSaysSo()
    {
        using var closed = await gateway.InitializeAsync("authz-down", Cancellation, headers: Allow);
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
        Assert.Contains("unavailable", await closed.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        using var open = await gateway.InitializeAsync("authz-open", Cancellation);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }
}
