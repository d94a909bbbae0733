using System.Net;
using System.Text.Json;
using AgentGateway.Tests.Fixtures;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Proxy.Policies;

/// <summary>A standalone proxy whose egress policy blocks private networks except the probe's HTTP port.</summary>
public sealed class EgressFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agentgateway-egress-" + Guid.NewGuid().ToString("N"));

    public TestCertificates Certificates { get; } = new();

    public TestJwtIssuer Issuer { get; } = new();

    public ProbeServer Probe { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_directory);
        Probe = await ProbeServer.StartAsync(Certificates, Issuer);
        object Route(string name, string url, object? policies = null) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies,
            mcp = new { targets = new[] { new { name = "probe", streamableHttp = new { url } } } },
        };
        var config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
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
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }), cancellationToken);
        Proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string> { ["Gateway:ConfigFile"] = config }, cancellationToken);
        await Proxy.WaitUntilReadyAsync(cancellationToken);
    }

    public async Task<McpClient> ConnectAsync(string route, CancellationToken cancellationToken) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(Proxy.BaseAddress, $"/acme/{route}") }),
            cancellationToken: cancellationToken);

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
        Directory.Delete(_directory, recursive: true);
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
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Proxy.BaseAddress, "/acme/jwks-blocked"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", fixture.Issuer.Token("any"));
        using var response = await http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Egress to 127.0.0.2", fixture.Proxy.Output, StringComparison.Ordinal);
    }
}
