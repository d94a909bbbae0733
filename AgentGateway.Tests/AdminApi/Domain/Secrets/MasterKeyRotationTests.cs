using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Npgsql;

namespace AgentGateway.Tests.AdminApi.Domain.Secrets;

/// <summary>Rotating the master key: the previous key still decrypts, secrets are re-encrypted at startup, and the previous key can then go.</summary>
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

        var (first, _) = await StartAsync(database, oldKey, []);
        await using (first)
        {
            using var admin = await ClientAsync(first.BaseAddress);
            (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "rotation", displayName = "Rotation" }, Cancellation)).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { controlPlane.Samples.UtilsEndpoint.Port } }, Cancellation)).EnsureSuccessStatusCode();
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

    private async Task<HttpClient> ClientAsync(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await controlPlane.GetTokenAsync("admin", Cancellation));
        return http;
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
