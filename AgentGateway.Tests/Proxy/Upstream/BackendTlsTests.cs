using AgentGateway.Tests.Proxy.Pipeline;
using ModelContextProtocol.Client;

namespace AgentGateway.Tests.Proxy.Upstream;

/// <summary>TLS to backends: a custom CA, mutual TLS, SNI, and refusal of certificates the gateway cannot verify.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class BackendTlsTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABackendCertificateFromTheConfiguredCa_IsTrusted_AndNoClientCertificateIsSent()
    {
        await using var client = await gateway.ConnectAsync("tls-ca", Cancellation);
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(client, Cancellation);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValueKind(upstream, "clientCertificate"));
    }

    [Fact]
    public async Task ABackendCertificateTheGatewayCannotVerify_IsRefused_UnlessVerificationIsExplicitlySkipped()
    {
        await using var untrusted = await gateway.ConnectAsync("tls-untrusted", Cancellation);
        Assert.Empty(await untrusted.ListToolsAsync(cancellationToken: Cancellation));
        var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => untrusted.CallToolAsync("echo", cancellationToken: Cancellation).AsTask());
        Assert.Contains("Target 'probe' is unavailable", error.Message, StringComparison.Ordinal);

        await using var insecure = await gateway.ConnectAsync("tls-insecure", Cancellation);
        Assert.Contains(await insecure.ListToolsAsync(cancellationToken: Cancellation), tool => tool.Name == "echo");
    }

    [Fact]
    public async Task MutualTls_PresentsTheClientCertificate()
    {
        await using var client = await gateway.ConnectAsync("tls-mtls", Cancellation);
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(client, Cancellation);
        Assert.Equal("CN=agentgateway-client", upstream.GetProperty("clientCertificate").GetString());
    }

    [Fact]
    public async Task Sni_NamesTheServerTheCertificateIsCheckedAgainst()
    {
        await using var client = await gateway.ConnectAsync("tls-sni", Cancellation);
        var upstream = await PolicyGatewayFixture.UpstreamRequestAsync(client, Cancellation);
        Assert.Equal("backend.test", gateway.Probe.LastServerName);
        Assert.StartsWith("backend.test:", upstream.GetProperty("host").GetString(), StringComparison.Ordinal);
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(System.Text.Json.JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind : System.Text.Json.JsonValueKind.Null;
}
