using System.Net;

namespace AgentGateway.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class AppHostStartupTests(AppHostFixture platform)
{
    [Fact]
    public async Task AppHost_StartsEveryServiceOnItsConfiguredPort()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        foreach (var port in new[] { platform.IdentityPort, platform.UtilsPort, platform.NotesPort, platform.AdminApiPort, platform.ProxyPort })
        {
            using var response = await http.GetAsync(new Uri($"http://localhost:{port}/healthz"), cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var discovery = await http.GetStringAsync(
            new Uri($"http://localhost:{platform.IdentityPort}/realms/agentgateway/.well-known/openid-configuration"), cancellationToken);
        Assert.Contains($"\"issuer\": \"http://localhost:{platform.IdentityPort}/realms/agentgateway\"", discovery, StringComparison.Ordinal);

        var token = await platform.GetAdminTokenAsync(cancellationToken);
        Assert.False(string.IsNullOrEmpty(token));
    }
}
