using AgentGateway.Tests.Fixtures;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentGateway.Tests.Identity;

public sealed class IssuerRestartTests
{
    [Fact]
    public async Task SigningKey_IsKeptInTheDataPath_SoTokensSurviveARestart()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dataPath = Path.Combine(Path.GetTempPath(), "agentgateway-identity-restart-" + Guid.NewGuid().ToString("N"));
        var port = ServiceProcess.GetFreePort();
        var issuer = $"http://127.0.0.1:{port}/realms/agentgateway";
        var configuration = new Dictionary<string, string>
        {
            ["Identity:Issuer"] = issuer,
            ["Identity:DataPath"] = dataPath,
            ["Identity:Clients:0:ClientId"] = "agentgateway-proxy",
            ["Identity:Clients:0:ClientSecret"] = "proxy-secret",
            ["Identity:Clients:0:Grants:0"] = "client_credentials",
            ["Identity:Clients:0:Roles:0"] = "proxy",
        };

        try
        {
            string token;
            await using (var first = await ServiceProcess.StartAsync("AgentGateway.Identity", configuration, cancellationToken, port))
            {
                token = await ClientCredentialsTokenAsync(issuer, cancellationToken);
            }

            Assert.True(File.Exists(Path.Combine(dataPath, "signing-key.pem")));
            await using var second = await ServiceProcess.StartAsync("AgentGateway.Identity", configuration, cancellationToken, port);
            using var http = new HttpClient();
            var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(issuer + "/protocol/openid-connect/certs"), cancellationToken));

            var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = "agentgateway",
                IssuerSigningKeys = jwks.GetSigningKeys(),
            });

            Assert.True(result.IsValid, result.Exception?.ToString());
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
        }
    }

    [Fact]
    public async Task InvalidConfiguration_FailsAtStartup_NamingTheOption()
    {
        var configuration = new Dictionary<string, string>
        {
            ["Identity:DataPath"] = Path.Combine(Path.GetTempPath(), "agentgateway-identity-invalid-" + Guid.NewGuid().ToString("N")),
            ["Identity:Clients:0:ClientId"] = "agentgateway-portal",
            ["Identity:Clients:0:ClientSecret"] = "portal-secret",
            ["Identity:Clients:0:Grants:0"] = "authorization_code",
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("AgentGateway.Identity", configuration, TestContext.Current.CancellationToken));

        Assert.Contains("Identity:Clients:0:RedirectUris", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ClientCredentialsTokenAsync(string issuer, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(issuer + "/protocol/openid-connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "agentgateway-proxy",
            ["client_secret"] = "proxy-secret",
        }), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }
}
