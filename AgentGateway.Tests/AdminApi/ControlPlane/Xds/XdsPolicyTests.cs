using System.Net;
using System.Net.Http.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Google.Protobuf;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.ControlPlane.Xds;

/// <summary>What proxies receive of a route's policies: resolved, with secrets inlined, and pushed when they change.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class XdsPolicyTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Route_CarriesItsResolvedPolicies_WithSecretsInlined_AndASecretChangeIsPushed()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var policies = $"/api/v1/tenants/{tenant}/policies";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        await CreateServerAsync(admin, tenant, "notes", controlPlane.Samples.NotesEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils", "notes" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "plain", targets = new[] { "notes" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/utils-key", new { value = "first-value" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/client-key", new { value = Pem.Key }, Cancellation)).EnsureSuccessStatusCode();
        foreach (var policy in new object[]
        {
            PoliciesApiTests.Jwt("tenant-jwt", new { kind = "tenant" }, "https://tenant.example.com"),
            PoliciesApiTests.Jwt("route-jwt", new { kind = "route", name = "mcp" }, "https://route.example.com"),
            new { name = "utils-key", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = new { header = new { name = "X-Api-Key", value = new { secretRef = "utils-key" } } } },
            new { name = "route-forward", kind = "backend-auth", targetRef = new { kind = "route", name = "mcp" }, spec = new { passthrough = new { } } },
            new { name = "mtls", kind = "backend-tls", targetRef = new { kind = "route", name = "mcp" }, spec = new { clientCertificatePem = Pem.Certificate, clientKeyPem = new { secretRef = "client-key" } } },
        })
        {
            using var response = await admin.PostAsJsonAsync(policies, policy, Cancellation);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", 
            candidate => candidate.Mcp.Targets.Count == 2 && candidate.Mcp.Targets.All(target => target.Auth is not null && target.Tls is not null)
                && candidate.Policies?.JwtAuth?.Providers.Single().Issuer == "https://route.example.com",
            Cancellation);

        // The route's own JWT policy replaced the tenant's; the server's credentials replaced the route's.
        Assert.Equal("https://route.example.com", route.Policies.JwtAuth.Providers.Single().Issuer);
        var utils = route.Mcp.Targets.Single(target => target.Name == "utils");
        var notes = route.Mcp.Targets.Single(target => target.Name == "notes");
        Assert.Equal("first-value", utils.Auth.Header.Value.Inline);
        Assert.Equal(BackendAuth.MethodOneofCase.Passthrough, notes.Auth.MethodCase);
        Assert.Equal(Pem.Key, notes.Tls.ClientKeyPem.Inline);

        // A proxy never sees a reference: every secret value is inline, and what it gets validates as a proxy validates it.
        Assert.DoesNotContain(PolicyValidator.Secrets(route), secret => secret.Value.SourceCase != SecretValue.SourceOneofCase.Inline);
        var problems = new List<ConfigError>();
        PolicyValidator.Validate(route.Policies, "policies", SecretSources.Inline, problems);
        PolicyValidator.Validate(utils.Auth, "auth", SecretSources.Inline, problems);
        PolicyValidator.Validate(notes.Tls, "tls", SecretSources.Inline, problems);
        Assert.Empty(problems);

        // The route that uses no secret carries none; it has the tenant's JWT policy only.
        var plain = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/plain", candidate => candidate.Policies?.JwtAuth is not null, Cancellation);
        Assert.Equal("https://tenant.example.com", plain.Policies.JwtAuth.Providers.Single().Issuer);
        Assert.Null(plain.Mcp.Targets.Single().Auth);
        Assert.DoesNotContain("first-value", plain.ToByteString().ToStringUtf8(), StringComparison.Ordinal);

        // A new value of the secret is pushed to the route that uses it.
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/utils-key", new { value = "second-value" }, Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp",
            candidate => candidate.Mcp.Targets.Single(target => target.Name == "utils").Auth?.Header.Value.Inline == "second-value", Cancellation);

        // Deleting the route's JWT policy falls back to the tenant's.
        (await admin.DeleteAsync(new Uri($"{policies}/route-jwt", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp",
            candidate => candidate.Policies.JwtAuth.Providers.Single().Issuer == "https://tenant.example.com", Cancellation);
    }

    [Fact]
    public async Task UsersOwnOAuth_ReachesProxiesAsTheVaultsEntry_WithoutTheClientSecret()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/github", new { value = "the-client-secret" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { host = "login.example.test", description = "an authorization server never called" }, Cancellation)).Dispose();
        using (var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "github",
            kind = "backend-auth",
            targetRef = new { kind = "mcp-server", name = "utils" },
            spec = new
            {
                userOauth = new
                {
                    authorizationUrl = "https://login.example.test/oauth/authorize",
                    tokenUrl = "https://login.example.test/oauth/access_token",
                    clientId = "gateway",
                    clientSecret = new { secretRef = "github" },
                    scopes = new[] { "repo" },
                },
            },
        }, Cancellation))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Cancellation));
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", candidate => candidate.Mcp.Targets.Single().Auth?.UserOauth is not null, Cancellation);
        var user = route.Mcp.Targets.Single().Auth.UserOauth;
        Assert.Equal((tenant, "github", $"{ControlPlaneFixture.PortalUrl}/connections?tenant={tenant}&policy=github"), (user.Tenant, user.Connection, user.ConnectUrl));
        Assert.Null(user.ClientSecret);
        Assert.DoesNotContain("the-client-secret", route.ToByteString().ToStringUtf8(), StringComparison.Ordinal);

        // Attached to a route or the tenant it would reach every server of the route: refused, naming the target.
        using (var onRoute = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/policies/github", new
        {
            targetRef = new { kind = "route", name = "mcp" },
            spec = new { userOauth = new { authorizationUrl = "https://a.example/authorize", tokenUrl = "https://a.example/token", clientId = "gateway" } },
        }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, onRoute.StatusCode);
            Assert.Contains("targetRef", await onRoute.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        // A JWT provider claiming the platform's issuer with keys of its own could sign any user's name: the route that
        // would send users' tokens on its word is left out, saying why.
        using var impostor = new TestJwtIssuer { Issuer = controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/') };
        impostor.Publish("k1");
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "callers", kind = "jwt-auth", targetRef = new { kind = "route", name = "mcp" },
            spec = new { providers = new[] { new { issuer = impostor.Issuer, jwks = impostor.Jwks() } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        var reason = string.Empty;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!reason.Contains("keys of its own", StringComparison.Ordinal))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The route was not left out: {reason}");
            await Task.Delay(200, Cancellation);
            var status = (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/tenants/{tenant}/routes/mcp", Cancellation)).GetProperty("status");
            reason = string.Join("; ", status.GetProperty("problems").EnumerateArray().Select(problem => problem.GetProperty("message").GetString()));
        }
    }

    [Fact]
    public async Task Route_WhoseSecretDoesNotDecrypt_OrWhosePolicyCannotBeRead_IsLeftOut_NotServedWithout()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        foreach (var route in new[] { "mcp", "plain" })
        {
            (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = route, targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        }

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/used", new { value = "used-value" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/other", new { value = "other-value" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "upstream",
            kind = "backend-auth",
            targetRef = new { kind = "route", name = "mcp" },
            spec = new { header = new { value = new { secretRef = "used" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Mcp.Targets[0].Auth?.Header.Value.Inline == "used-value", Cancellation);

        // Another row's ciphertext does not decrypt as this secret (its tenant and name are bound to it).
        Assert.Equal(1, await BehindTheApi.ChangeAsync(controlPlane.ConnectionString,
            """
            UPDATE secrets SET "Ciphertext" = (SELECT s."Ciphertext" FROM secrets s JOIN tenants t ON t."Id" = s."TenantId" WHERE t."Name" = @value AND s."Name" = 'other')
            WHERE "Name" = 'used' AND "TenantId" = (SELECT "Id" FROM tenants WHERE "Name" = @value)
            """, tenant, Cancellation));
        await xds.WaitForRemovalAsync(ResourceTypes.Route, $"{tenant}/mcp", Cancellation);
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/plain", _ => true, Cancellation);

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/used", new { value = "used-again" }, Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Mcp.Targets[0].Auth?.Header.Value.Inline == "used-again", Cancellation);

        // A stored spec this version cannot read takes its routes out rather than serving them without it.
        Assert.Equal(1, await BehindTheApi.ChangeAsync(controlPlane.ConnectionString,
            """
            UPDATE policies SET "Spec" = '{"unknownMethod": {}}'::jsonb
            WHERE "Name" = 'upstream' AND "TenantId" = (SELECT "Id" FROM tenants WHERE "Name" = @value)
            """, tenant, Cancellation));
        await xds.WaitForRemovalAsync(ResourceTypes.Route, $"{tenant}/mcp", Cancellation);
    }
}
