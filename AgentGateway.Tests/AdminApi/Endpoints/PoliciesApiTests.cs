using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

[Collection(ControlPlaneCollection.Name)]
public sealed class PoliciesApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvalidPolicies_GetErrorsNamingTheSpecFields_AndNothingIsWritten()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var policies = $"/api/v1/tenants/{tenant}/policies";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);

        async Task<JsonElement> ErrorsOfAsync(object body) =>
            (await AssertProblemAsync(await admin.PostAsJsonAsync(policies, body, Cancellation), HttpStatusCode.BadRequest)).GetProperty("errors");

        var errors = await ErrorsOfAsync(new
        {
            name = "credentials",
            kind = "backend-auth",
            targetRef = new { kind = "tenant" },
            spec = new { oauth2ClientCredentials = new { tokenUrl = "not a url", clientId = "", clientSecret = new { inline = "plain" } } },
        });
        foreach (var field in new[] { "spec.oauth2ClientCredentials.tokenUrl", "spec.oauth2ClientCredentials.clientId", "spec.oauth2ClientCredentials.clientSecret" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        }

        Assert.Contains("secretRef", errors.GetProperty("spec.oauth2ClientCredentials.clientSecret")[0].GetString(), StringComparison.Ordinal);

        errors = await ErrorsOfAsync(new
        {
            name = "credentials",
            kind = "backend-auth",
            targetRef = new { kind = "tenant" },
            spec = new { oauth2ClientCredentials = new { tokenUrl = "https://login.example.com/token", clientId = "gateway", clientSecret = new { secretRef = "missing-secret" } } },
        });
        Assert.Contains("missing-secret", errors.GetProperty("spec.oauth2ClientCredentials.clientSecret.secretRef")[0].GetString(), StringComparison.Ordinal);

        errors = await ErrorsOfAsync(new { name = "Bad Name", kind = "jwt-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = new { bogus = 1 } });
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.Contains("'tenant' or 'route'", errors.GetProperty("targetRef.kind")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("spec.bogus", out _), errors.ToString());

        errors = await ErrorsOfAsync(new { name = "nope", kind = "carrier-pigeon", targetRef = new { kind = "route", name = "ghost" }, spec = new { } });
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.Contains("ghost", errors.GetProperty("targetRef.name")[0].GetString(), StringComparison.Ordinal);

        errors = await ErrorsOfAsync(new
        {
            name = "keys",
            kind = "api-key-auth",
            targetRef = new { kind = "tenant" },
            spec = new { keys = new[] { new { id = "k1", name = "k1", sha256 = new string('a', 64) } } },
        });
        Assert.True(errors.TryGetProperty("spec.keys", out _), errors.ToString());

        errors = await ErrorsOfAsync(new
        {
            name = "rbac",
            kind = "mcp-authorization",
            targetRef = new { kind = "tenant" },
            spec = new { rules = new[] { new { name = "ok", expression = "true" }, new { name = "broken", expression = "mcp.tool.name == " } } },
        });
        Assert.Contains("at line 1, column", errors.GetProperty("spec.rules[1].expression")[0].GetString(), StringComparison.Ordinal);

        // Issuers whose keys the proxies would fetch are checked against the egress rules.
        errors = await ErrorsOfAsync(new
        {
            name = "jwt",
            kind = "jwt-auth",
            targetRef = new { kind = "tenant" },
            spec = new { providers = new object[] { new { issuer = "https://issuer.example.com", jwksUri = "http://169.254.169.254/latest/keys" } } },
        });
        var refusal = errors.GetProperty("spec.providers[0].jwksUri")[0].GetString()!;
        Assert.Contains("169.254.169.254", refusal, StringComparison.Ordinal);
        Assert.Contains("link-local", refusal, StringComparison.Ordinal);

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(policies, Cancellation) ?? []);
    }

    [Fact]
    public async Task Policies_TenantAdminsWrite_OneKindPerAttachment_AndAttachedTargetsCannotBeDeleted()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var policies = $"/api/v1/tenants/{tenant}/policies";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        var passthrough = new { name = "forward", kind = "backend-auth", targetRef = new { kind = "route", name = "mcp" }, spec = new { passthrough = new { } } };

        // Developers read policies but do not write them.
        await AssertProblemAsync(await developer.PostAsJsonAsync(policies, passthrough, Cancellation), HttpStatusCode.Forbidden);
        using var created = await admin.PostAsJsonAsync(policies, passthrough, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var policy = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("route", policy.GetProperty("targetRef").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Object, policy.GetProperty("spec").GetProperty("passthrough").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"{policies}/forward", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"{policies}/forward", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);

        // A second policy of the same kind on the same attachment conflicts; on another attachment it is fine.
        var conflict = await AssertProblemAsync(
            await admin.PostAsJsonAsync(policies, passthrough with { name = "forward-again" }, Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'forward'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(policies,
            new { name = "server-auth", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = new { passthrough = new { } } }, Cancellation)).StatusCode);

        // The route and the server cannot be deleted while policies are attached to them.
        var routeConflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'forward'", routeConflict.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Moving a policy elsewhere with PUT frees the route.
        using (var move = Put($"{policies}/forward", new { targetRef = new { kind = "tenant" }, spec = new { passthrough = new { } } }, created.Headers.ETag))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(move, Cancellation)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation)).StatusCode);
        var serverConflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/mcp-servers/utils", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'server-auth'", serverConflict.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The tenant goes with everything in it.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation)).StatusCode);
    }

    [Fact]
    public async Task EffectivePolicies_RouteReplacesTenant_ServerReplacesRoute_AndShowSecretReferencesOnly()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var policies = $"/api/v1/tenants/{tenant}/policies";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        await CreateServerAsync(admin, tenant, "notes", controlPlane.Samples.NotesEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils", "notes" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "other", targets = new[] { "notes" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/utils-key", new { value = "utils-key-value" }, Cancellation)).EnsureSuccessStatusCode();

        foreach (var policy in new object[]
        {
            Jwt("tenant-jwt", new { kind = "tenant" }, "https://tenant.example.com"),
            Jwt("route-jwt", new { kind = "route", name = "mcp" }, "https://route.example.com"),
            new { name = "tenant-backend", kind = "backend-auth", targetRef = new { kind = "tenant" }, spec = new { passthrough = new { } } },
            new { name = "route-backend", kind = "backend-auth", targetRef = new { kind = "route", name = "mcp" }, spec = new { header = new { name = "X-Route", value = new { secretRef = "utils-key" } } } },
            new { name = "utils-backend", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = new { header = new { name = "X-Api-Key", value = new { secretRef = "utils-key" } } } },
        })
        {
            using var response = await admin.PostAsJsonAsync(policies, policy, Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancellation));
        }

        var text = await admin.GetStringAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp/effective-policies", UriKind.Relative), Cancellation);
        Assert.DoesNotContain("utils-key-value", text, StringComparison.Ordinal);
        var effective = JsonDocument.Parse(text).RootElement;
        var jwt = Assert.Single(effective.GetProperty("policies").EnumerateArray());
        Assert.Equal("jwt-auth", jwt.GetProperty("kind").GetString());
        Assert.Equal("route-jwt", jwt.GetProperty("policy").GetString());
        Assert.Equal("https://route.example.com", jwt.GetProperty("spec").GetProperty("providers")[0].GetProperty("issuer").GetString());

        var targets = effective.GetProperty("targets").EnumerateArray().ToDictionary(target => target.GetProperty("target").GetString()!, target => target.GetProperty("policies")[0]);
        Assert.Equal("utils-backend", targets["utils"].GetProperty("policy").GetString());
        Assert.Equal("mcp-server", targets["utils"].GetProperty("attachedTo").GetProperty("kind").GetString());
        Assert.Equal("utils-key", targets["utils"].GetProperty("spec").GetProperty("header").GetProperty("value").GetProperty("secretRef").GetString());
        Assert.Equal("route-backend", targets["notes"].GetProperty("policy").GetString());

        // The other route has only the tenant's policies.
        var other = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/other/effective-policies", Cancellation);
        Assert.Equal("tenant-jwt", other.GetProperty("policies")[0].GetProperty("policy").GetString());
        Assert.Equal("tenant-backend", other.GetProperty("targets")[0].GetProperty("policies")[0].GetProperty("policy").GetString());
    }

    internal static object Jwt(string name, object targetRef, string issuer) => new
    {
        name,
        kind = "jwt-auth",
        targetRef,
        spec = new { providers = new object[] { new { issuer, jwks = """{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}""" } } },
    };
}
