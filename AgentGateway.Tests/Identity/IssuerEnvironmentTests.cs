using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Identity;

/// <summary>
/// The local issuer and its demo credentials are a development tool: outside Development the issuer refuses to start
/// unless asked to knowingly, and never with the demo users' and clients' credentials.
/// </summary>
public sealed class IssuerEnvironmentTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, "admin", "portal-secret", "runs in Development only")]
    [InlineData(true, "admin", "a-real-secret", "the password of 'admin' is its name")]
    [InlineData(true, "correct horse battery staple", "portal-secret", "the secret of 'agentgateway-portal' is a demo secret")]
    public async Task OutsideDevelopment_TheIssuerRefusesToStart_WithoutAskingOrWithDemoCredentials(bool allowed, string password, string secret, string reason)
    {
        var output = await RunInProductionAsync(allowed, password, secret);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideDevelopment_AskedFor_AndWithCredentialsOfItsOwn_TheIssuerRuns()
    {
        var port = ServiceProcess.GetFreePort();
        await using var issuer = await ServiceProcess.StartAsync("AgentGateway.Identity", Settings(port, true, "correct horse battery staple", "a-real-secret"), Cancellation, port,
            environment: new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        using var http = new HttpClient();
        var discovery = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/realms/agentgateway/.well-known/openid-configuration"), Cancellation);
        Assert.Contains("token_endpoint", discovery, StringComparison.Ordinal);
    }

    /// <summary>What the issuer printed as it refused to start in Production.</summary>
    private static async Task<string> RunInProductionAsync(bool allowed, string password, string secret)
    {
        var port = ServiceProcess.GetFreePort();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var issuer = await ServiceProcess.StartAsync("AgentGateway.Identity", Settings(port, allowed, password, secret), Cancellation, port,
                environment: new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        });
        return failure.Message;
    }

    private static Dictionary<string, string> Settings(int port, bool allowed, string password, string secret) => new()
    {
        ["Identity:Issuer"] = $"http://127.0.0.1:{port}/realms/agentgateway",
        ["Identity:DataPath"] = Path.Combine(Path.GetTempPath(), "agentgateway-issuer-env-" + Guid.NewGuid().ToString("N")),
        ["Identity:AllowOutsideDevelopment"] = allowed ? "true" : "false",
        ["Identity:Users:0:Username"] = "admin",
        ["Identity:Users:0:Password"] = password,
        ["Identity:Clients:0:ClientId"] = "agentgateway-portal",
        ["Identity:Clients:0:ClientSecret"] = secret,
        ["Identity:Clients:0:Grants:0"] = "client_credentials",
    };
}
