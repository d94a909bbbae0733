using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Fixtures;
using Npgsql;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

[Collection(ControlPlaneCollection.Name)]
public sealed class SecretsApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Secret_IsNeverReturned_IsEncryptedAtRest_AndIsLeftOutOfTheAuditLog()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var secrets = $"/api/v1/tenants/{tenant}/secrets";
        const string value = "s3cr3t-VALUE-never-shown";
        const string replaced = "s3cr3t-REPLACED-never-shown";

        using var created = await developer.PutAsJsonAsync($"{secrets}/client-secret", new { value, description = "the upstream's client secret" }, Cancellation);
        var createdBody = await created.Content.ReadAsStringAsync(Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{secrets}/client-secret", created.Headers.Location?.OriginalString);
        Assert.DoesNotContain(value, createdBody, StringComparison.Ordinal);
        var secret = JsonDocument.Parse(createdBody).RootElement;
        Assert.Equal("client-secret", secret.GetProperty("name").GetString());
        Assert.Equal("the upstream's client secret", secret.GetProperty("description").GetString());
        Assert.Empty(secret.GetProperty("usedBy").EnumerateArray());
        Assert.False(secret.TryGetProperty("value", out _));

        // Replacing answers 200 and moves the ETag; a stale If-Match is refused and changes nothing.
        var etag = created.Headers.ETag!;
        using (var replace = Put($"{secrets}/client-secret", new { value = replaced }, etag))
        using (var response = await developer.SendAsync(replace, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(etag, response.Headers.ETag);
            Assert.DoesNotContain(replaced, await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        using (var stale = Put($"{secrets}/client-secret", new { value = "lost update" }, etag))
        {
            await AssertProblemAsync(await developer.SendAsync(stale, Cancellation), HttpStatusCode.PreconditionFailed);
        }

        foreach (var path in new[] { secrets, $"{secrets}/client-secret", $"/api/v1/tenants/{tenant}/audit" })
        {
            var text = await admin.GetStringAsync(new Uri(path, UriKind.Relative), Cancellation);
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
            Assert.DoesNotContain(replaced, text, StringComparison.Ordinal);
        }

        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/audit", Cancellation);
        Assert.Contains(audit.EnumerateArray(), entry => entry.GetProperty("entityType").GetString() == "secret"
            && entry.GetProperty("action").GetString() == "updated" && entry.GetProperty("after").GetProperty("ciphertext").GetString() == "(redacted)");

        // At rest: the row holds ciphertext and the id of the key, never the value.
        await using var connection = new NpgsqlConnection(controlPlane.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            """SELECT s."Ciphertext", s."KeyId" FROM secrets s JOIN tenants t ON t."Id" = s."TenantId" WHERE t."Name" = @tenant AND s."Name" = 'client-secret'""", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        Assert.True(await reader.ReadAsync(Cancellation));
        var ciphertext = (byte[])reader[0];
        Assert.Equal(-1, ciphertext.AsSpan().IndexOf(Encoding.UTF8.GetBytes(replaced)));
        Assert.Equal(-1, ciphertext.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)));
        Assert.StartsWith("mk-", reader.GetString(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_ValidateNameAndValue_ViewersReadOnly_AndSecretsInUseCannotBeDeleted()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "viewer");
        var secrets = $"/api/v1/tenants/{tenant}/secrets";

        var invalid = await AssertProblemAsync(await admin.PutAsJsonAsync($"{secrets}/Bad_Name", new { value = "", description = new string('x', 1001) }, Cancellation), HttpStatusCode.BadRequest);
        foreach (var field in new[] { "name", "value", "description" })
        {
            Assert.True(invalid.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}'");
        }

        (await admin.PutAsJsonAsync($"{secrets}/token", new { value = "v" }, Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"{secrets}/token", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.PutAsJsonAsync($"{secrets}/token", new { value = "w" }, Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"{secrets}/token", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        // What is not there is not there, whatever the caller's role.
        var missing = await AssertProblemAsync(await developer.DeleteAsync(new Uri($"{secrets}/missing", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        Assert.Equal("Secret not found", missing.GetProperty("title").GetString());

        // A referenced secret names the policies that use it and cannot be deleted while they do.
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "upstream-key",
            kind = "backend-auth",
            targetRef = new { kind = "tenant" },
            spec = new { header = new { name = "X-Api-Key", value = new { secretRef = "token" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        var used = await admin.GetFromJsonAsync<JsonElement>($"{secrets}/token", Cancellation);
        Assert.Equal(["upstream-key"], used.GetProperty("usedBy").EnumerateArray().Select(name => name.GetString()));
        var conflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{secrets}/token", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'upstream-key'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/policies/upstream-key", UriKind.Relative), Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"{secrets}/token", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await admin.GetAsync(new Uri($"{secrets}/token", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }
}
