using System.Net;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Proxy.Upstream;

/// <summary>A standalone proxy whose egress policy blocks private networks except the probe's HTTP port.</summary>
public sealed class EgressFixture : IAsyncLifetime
{
    public TestCertificates Certificates { get; } = new();

    public TestJwtIssuer Issuer { get; } = new();

    public ProbeServer Probe { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Probe = await ProbeServer.StartAsync(Certificates, Issuer);
        object Route(string name, string url, object? policies = null) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies,
            mcp = new { targets = new[] { new { name = "probe", streamableHttp = new { url } } } },
        };
        Proxy = await StandaloneProxy.StartAsync(new
        {
            egress = new { blockPrivateNetworks = true, allow = new[] { new { cidr = "127.0.0.1/32", ports = new[] { Probe.HttpAddress.Port } } } },
            routes = new[]
            {
                Route("allowed", Probe.McpEndpoint.ToString()),
                Route("by-name", $"http://localhost:{Probe.HttpAddress.Port}/mcp"),
                Route("other-port", $"http://127.0.0.1:{Probe.HttpsAddress.Port}/mcp"),
                Route("metadata", "http://169.254.169.254/mcp"),
                Route("jwks-blocked", Probe.McpEndpoint.ToString(), new
                {
                    jwtAuth = new { providers = new[] { new { issuer = Issuer.Issuer, jwksUri = $"http://127.0.0.2:{Probe.HttpAddress.Port}/jwks" } } },
                }),
            },
        }, cancellationToken);
    }

    public Task<McpClient> ConnectAsync(string route, CancellationToken cancellationToken) =>
        McpTestClient.ConnectAsync(new Uri(Proxy.BaseAddress, $"/acme/{route}"), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Probe is not null)
        {
            await Probe.DisposeAsync();
        }

        Issuer.Dispose();
        Certificates.Dispose();
    }
}

/// <summary>SSRF defence at connect time: every upstream connection is checked against the egress policy after DNS resolution.</summary>
public sealed class EgressPolicyTests(EgressFixture fixture) : IClassFixture<EgressFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("allowed")]
    [InlineData("by-name")]
    public async Task AnAllowedAddress_IsReached_AlsoThroughAHostNameThatResolvesToIt(string route)
    {
        await using var client = await fixture.ConnectAsync(route, Cancellation);
        Assert.Contains(await client.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "echo");
    }

    [Theory]
    [InlineData("other-port", "127.0.0.1 is a loopback address")]
    [InlineData("metadata", "169.254.169.254 is a link-local (cloud metadata) address")]
    public async Task APrivateAddressTheAllowListDoesNotCover_IsRefused_WithTheReason(string route, string reason)
    {
        await using var client = await fixture.ConnectAsync(route, Cancellation);
        Assert.Empty(await client.ListToolsAsync(cancellationToken: Cancellation));
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("echo", cancellationToken: Cancellation).AsTask());
        Assert.Contains("egress policy refuses", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyUrlsAreGuardedToo_AJwksOnABlockedAddressValidatesNothing()
    {
        using var response = await McpTestClient.InitializeAsync(new Uri(fixture.Proxy.BaseAddress, "/acme/jwks-blocked"), Cancellation, fixture.Issuer.Token("any"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Egress to 127.0.0.2", fixture.Proxy.Output, StringComparison.Ordinal);
    }
}
