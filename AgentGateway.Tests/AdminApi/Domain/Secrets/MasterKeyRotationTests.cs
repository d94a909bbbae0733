using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Npgsql;

namespace AgentGateway.Tests.AdminApi.Domain.Secrets;

/// <summary>Rotating the master key: the previous key still decrypts, secrets and users' kept tokens are re-encrypted at startup, and the previous key can then go.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class MasterKeyRotationTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterARotation_SecretsAreReencryptedAtStartup_AndThePreviousKeyCanGo()
    {
        var database = "rotation_" + Guid.NewGuid().ToString("N")[..8];
        var oldKey = ControlPlaneFixture.NewMasterKey();
        var newKey = ControlPlaneFixture.NewMasterKey();
        string oldKeyId;

        await using var tokenServer = await ScriptedTokenServer.StartAsync();
        var (first, _) = await StartAsync(database, oldKey, []);
        await using (first)
        {
            using var admin = await ClientAsync(first.BaseAddress);
            (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "rotation", displayName = "Rotation" }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { controlPlane.Samples.UtilsEndpoint.Port, tokenServer.Address.Port } }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/tenants/rotation/mcp-servers", new { name = "utils", transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/tenants/rotation/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PutAsJsonAsync("/api/v1/tenants/rotation/secrets/token", new { value = "kept-across-rotations" }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/tenants/rotation/policies", new
            {
                name = "upstream",
                kind = "backend-auth",
                targetRef = new { kind = "tenant" },
                spec = new { header = new { value = new { secretRef = "token" } } },
            }, Cancellation)).EnsureSuccessStatusCode();
            await KeepUserTokenAsync(first.BaseAddress, tokenServer);
            oldKeyId = await KeyIdAsync(database);
        }

        // The new key with the old one as previous: the secret is re-encrypted under the new key, and still served.
        var (second, secondXds) = await StartAsync(database, newKey, [oldKey]);
        await using (second)
        {
            Assert.NotEqual(oldKeyId, await KeyIdAsync(database));
            await AssertServedAsync(secondXds);
        }

        // The previous key is no longer needed.
        var (third, thirdXds) = await StartAsync(database, newKey, []);
        await using (third)
        {
            await AssertServedAsync(thirdXds);
            Assert.Equal("user-token-kept", await UserTokenAsync(thirdXds));
        }
    }

    [Fact]
    public async Task AdminApi_WithoutAValidMasterKey_DoesNotStart_AndSaysHowToMakeOne()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("unused", Convert.ToBase64String(new byte[16]), []));
        Assert.Contains("Secrets:MasterKey", failure.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", failure.Message, StringComparison.Ordinal);
    }

    private Task<(ServiceProcess AdminApi, Uri XdsUrl)> StartAsync(string database, string key, string[] previous) =>
        controlPlane.StartAdminApiAsync(database, key, previous, Cancellation);

    private async Task<HttpClient> ClientAsync(Uri baseAddress, string username = "admin")
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await controlPlane.GetTokenAsync(username, Cancellation));
        return http;
    }

    /// <summary>A user's token kept in the vault: the developer authorizes a server that acts as each user.</summary>
    private async Task KeepUserTokenAsync(Uri adminApi, ScriptedTokenServer tokenServer)
    {
        using var admin = await ClientAsync(adminApi);
        (await admin.PostAsJsonAsync("/api/v1/tenants/rotation/mcp-servers", new { name = "acting", transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/tenants/rotation/policies", new
        {
            name = "acts-as-user", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "acting" },
            spec = new { userOauth = new { authorizationUrl = new Uri(tokenServer.Address, "/authorize"), tokenUrl = new Uri(tokenServer.Address, "/token"), clientId = "gateway" } },
        }, Cancellation)).EnsureSuccessStatusCode();
        tokenServer.Next = (200, "{\"access_token\": \"user-token-kept\"}");
        using var developer = await ClientAsync(adminApi, "developer");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            // The token endpoint is reached through the egress policy, which learns the new allow rule with the next snapshot.
            using var completed = await Endpoints.UserConnectionsApiTests.CompleteAsync(developer, "rotation");
            if (completed.IsSuccessStatusCode)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, await completed.Content.ReadAsStringAsync(Cancellation));
            await Task.Delay(200, Cancellation);
        }
    }

    /// <summary>What the vault gives a proxy for the developer's token.</summary>
    private async Task<string> UserTokenAsync(Uri xdsUrl)
    {
        var developerSub = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(await controlPlane.GetTokenAsync("developer", Cancellation)).Subject;
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(xdsUrl);
        var answer = await new GatewayReports.GatewayReportsClient(channel).GetUserTokenAsync(
            new UserTokenRequest { Tenant = "rotation", Connection = "acts-as-user", Subject = $"jwt:{controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/')}|{developerSub}" },
            new Grpc.Core.Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } }, cancellationToken: Cancellation);
        return answer.AccessToken;
    }

    private async Task AssertServedAsync(Uri xdsUrl)
    {
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, xdsUrl, Cancellation, ResourceTypes.Route);
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, "rotation/mcp", _ => true, Cancellation, TimeSpan.FromSeconds(15));
        Assert.Equal("kept-across-rotations", route.Mcp.Targets.Single().Auth.Header.Value.Inline);
    }

    private async Task<string> KeyIdAsync(string database)
    {
        await using var connection = new NpgsqlConnection(controlPlane.DatabaseConnectionString(database));
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("""SELECT "KeyId" FROM secrets WHERE "Name" = 'token'""", connection);
        return (string)(await command.ExecuteScalarAsync(Cancellation))!;
    }
}
