using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

[Collection(ControlPlaneCollection.Name)]
public sealed class ApiKeysApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApiKey_IsShownOnce_HashedAtRest_ScopedToItsRoutes_AndRevocationIsPushed()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var keys = $"/api/v1/tenants/{tenant}/api-keys";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        foreach (var route in new[] { "mcp", "other" })
        {
            (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = route, targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        }

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies",
            new { name = "keys", kind = "api-key-auth", targetRef = new { kind = "tenant" }, spec = new { header = "X-Api-Key" } }, Cancellation)).EnsureSuccessStatusCode();

        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);
        using var created = await developer.PostAsJsonAsync(keys, new
        {
            name = "ci",
            description = "the CI pipeline",
            routes = new[] { "mcp" },
            metadata = new Dictionary<string, string> { ["team"] = "blue" },
            expiresAt,
        }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var key = body.GetProperty("key").GetString()!;
        Assert.Matches("^agk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(key[..12], body.GetProperty("prefix").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.Equal("developer", body.GetProperty("createdBy").GetString());
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        (await developer.PostAsJsonAsync(keys, new { name = "everywhere" }, Cancellation)).EnsureSuccessStatusCode();

        // Never again: not in the key's own answer, the list, or the audit log (nor its hash).
        foreach (var path in new[] { keys, $"{keys}/ci", $"/api/v1/tenants/{tenant}/audit" })
        {
            var text = await admin.GetStringAsync(new Uri(path, UriKind.Relative), Cancellation);
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[12..], text, StringComparison.Ordinal);
            Assert.DoesNotContain(sha256, text, StringComparison.Ordinal);
        }

        var listed = await admin.GetFromJsonAsync<JsonElement>($"{keys}/ci", Cancellation);
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.Equal(["mcp"], listed.GetProperty("routes").EnumerateArray().Select(route => route.GetString()));

        // At rest: the hash only.
        await using (var connection = new NpgsqlConnection(controlPlane.ConnectionString))
        {
            await connection.OpenAsync(Cancellation);
            await using var command = new NpgsqlCommand(
                """SELECT k."Sha256", row_to_json(k)::text FROM api_keys k JOIN tenants t ON t."Id" = k."TenantId" WHERE t."Name" = @tenant AND k."Name" = 'ci'""", connection);
            command.Parameters.AddWithValue("tenant", tenant);
            await using var reader = await command.ExecuteReaderAsync(Cancellation);
            Assert.True(await reader.ReadAsync(Cancellation));
            Assert.Equal(sha256, reader.GetString(0));
            Assert.DoesNotContain(key[12..], reader.GetString(1), StringComparison.Ordinal);
        }

        // Proxies get the hashes of the keys scoped to each route.
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var mcp = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Policies?.ApiKeyAuth?.Keys.Count == 2, Cancellation);
        Assert.Equal("X-Api-Key", mcp.Policies.ApiKeyAuth.Header);
        var pushed = mcp.Policies.ApiKeyAuth.Keys.Single(candidate => candidate.Name == "ci");
        Assert.Equal(sha256, pushed.Sha256);
        Assert.Equal(body.GetProperty("id").GetString(), pushed.Id);
        Assert.Equal("blue", pushed.Metadata["team"]);
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), pushed.ExpiresAt.ToDateTimeOffset().ToUnixTimeSeconds());
        var other = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/other", route => route.Policies?.ApiKeyAuth is not null, Cancellation);
        Assert.Equal(["everywhere"], other.Policies.ApiKeyAuth.Keys.Select(candidate => candidate.Name));

        // A route a key is scoped to cannot go while the key works; revocation is pushed and frees it.
        var conflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'ci'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using (var revoked = await developer.PostAsync(new Uri($"{keys}/ci/revoke", UriKind.Relative), null, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            var state = await revoked.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal("revoked", state.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.String, state.GetProperty("revokedAt").ValueKind);
        }

        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Policies.ApiKeyAuth.Keys.All(candidate => candidate.Name != "ci"), Cancellation);
        await AssertProblemAsync(await developer.PutAsJsonAsync($"{keys}/ci", new { routes = Array.Empty<string>() }, Cancellation), HttpStatusCode.Conflict);

        // A scope change is pushed too.
        (await developer.PutAsJsonAsync($"{keys}/everywhere", new { routes = new[] { "mcp" } }, Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/other", route => route.Policies.ApiKeyAuth.Keys.Count == 0, Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, (await developer.DeleteAsync(new Uri($"{keys}/everywhere", UriKind.Relative), Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation)).StatusCode);
    }

    [Fact]
    public async Task ApiKeys_ValidateTheirFields_AndViewersCannotMakeThem()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "viewer");
        var keys = $"/api/v1/tenants/{tenant}/api-keys";

        var invalid = await AssertProblemAsync(await admin.PostAsJsonAsync(keys, new
        {
            name = "Not Valid",
            routes = new[] { "ghost" },
            metadata = new Dictionary<string, string> { ["bad name"] = "x", ["long"] = new string('x', 300) },
            expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        }, Cancellation), HttpStatusCode.BadRequest);
        foreach (var field in new[] { "name", "routes", "metadata.bad name", "metadata.long", "expiresAt" })
        {
            Assert.True(invalid.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {invalid}");
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(keys, Cancellation) ?? []);
        await AssertProblemAsync(await developer.PostAsJsonAsync(keys, new { name = "mine" }, Cancellation), HttpStatusCode.Forbidden);
        (await admin.PostAsJsonAsync(keys, new { name = "mine" }, Cancellation)).EnsureSuccessStatusCode();
        await AssertProblemAsync(await admin.PostAsJsonAsync(keys, new { name = "mine" }, Cancellation), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"{keys}/mine", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.PostAsync(new Uri($"{keys}/mine/revoke", UriKind.Relative), null, Cancellation), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Report_OfKeyUses_MovesLastUsedForwardOnly_WithoutAConfigChange_AndNeedsTheProxyRole()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        using var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/api-keys", new { name = "used" }, Cancellation);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString()!;
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/api-keys/used", Cancellation)).GetProperty("lastUsedAt").ValueKind);

        using var channel = GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var reports = new GatewayReports.GatewayReportsClient(channel);
        var proxy = new Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } };
        var revision = await RevisionAsync();
        var used = DateTimeOffset.UtcNow.AddMinutes(-5);
        await reports.ReportAsync(Uses(tenant, id, used), proxy, cancellationToken: Cancellation);
        Assert.Equal(used.ToUnixTimeMilliseconds(), (await LastUsedAsync()).ToUnixTimeMilliseconds());

        // An older report does not move it back; one for another tenant's name changes nothing.
        await reports.ReportAsync(Uses(tenant, id, used.AddMinutes(-10)), proxy, cancellationToken: Cancellation);
        await reports.ReportAsync(Uses("someone-else", id, used.AddMinutes(1)), proxy, cancellationToken: Cancellation);
        Assert.Equal(used.ToUnixTimeMilliseconds(), (await LastUsedAsync()).ToUnixTimeMilliseconds());

        // A clock ahead of ours is not believed past the present.
        await reports.ReportAsync(Uses(tenant, id, DateTimeOffset.UtcNow.AddDays(1)), proxy, cancellationToken: Cancellation);
        Assert.InRange(await LastUsedAsync(), used, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(revision, await RevisionAsync());

        var developer = new Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("developer", Cancellation) } };
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await reports.ReportAsync(Uses(tenant, id, used), developer, cancellationToken: Cancellation));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await reports.ReportAsync(Uses(tenant, id, used), cancellationToken: Cancellation));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);

        async Task<DateTimeOffset> LastUsedAsync() =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/api-keys/used", Cancellation)).GetProperty("lastUsedAt").GetDateTimeOffset();
    }

    private static ReportRequest Uses(string tenant, string id, DateTimeOffset at)
    {
        var request = new ReportRequest { NodeId = "reporting-proxy" };
        request.ApiKeyUses.Add(new ApiKeyUse { Tenant = tenant, KeyId = id, LastUsedAt = Timestamp.FromDateTimeOffset(at), Requests = 3 });
        return request;
    }

    private async Task<long> RevisionAsync()
    {
        await using var connection = new NpgsqlConnection(controlPlane.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("""SELECT "Revision" FROM config_revisions""", connection);
        return (long)(await command.ExecuteScalarAsync(Cancellation))!;
    }
}
