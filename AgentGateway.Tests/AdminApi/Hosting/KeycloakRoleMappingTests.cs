using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Identity;

namespace AgentGateway.Tests.AdminApi.Hosting;

/// <summary>
/// Keycloak's roles and groups grant platform and tenant roles without a stored membership: a group
/// <c>/tenants/{tenant}/{role}</c>, a client role <c>tenant:{tenant}:{role}</c> in <c>resource_access</c>, and the
/// platform-admin group. The tokens come from the real local issuer, shaped as Keycloak shapes them.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class KeycloakRoleMappingTests(ControlPlaneFixture controlPlane)
{
    private const string Tenant = IdentityServerFixture.MappedTenant;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GroupsAndClientRoles_GrantTenantRoles_AndAPlatformAdminGroupGrantsEverything()
    {
        using (var admin = await controlPlane.CreateClientAsync("admin", Cancellation))
        {
            using var created = await admin.PostAsJsonAsync("/api/v1/tenants", new { name = Tenant, displayName = "Mapped from the token" }, Cancellation);
            Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync(Cancellation));
        }

        // carol is a developer of the tenant through a group.
        using var carol = await controlPlane.CreateClientAsync("carol", Cancellation);
        var me = await carol.GetFromJsonAsync<JsonElement>("/api/v1/me", Cancellation);
        var mine = Assert.Single(me.GetProperty("tenants").EnumerateArray());
        Assert.Equal(Tenant, mine.GetProperty("name").GetString());
        Assert.Equal("developer", mine.GetProperty("role").GetString());
        Assert.Contains(await carol.GetFromJsonAsync<JsonElement[]>("/api/v1/tenants", Cancellation) ?? [], tenant => tenant.GetProperty("name").GetString() == Tenant);
        await RestApiTests.CreateServerAsync(carol, Tenant, "carols-" + Guid.NewGuid().ToString("N")[..6], controlPlane.Samples.UtilsEndpoint);
        using (var promote = await carol.PutAsJsonAsync($"/api/v1/tenants/{Tenant}/members/mallory", new { role = "viewer" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
        }

        // dave is an admin of the tenant through a client role of the realm's client.
        using var dave = await controlPlane.CreateClientAsync("dave", Cancellation);
        using (var invite = await dave.PutAsJsonAsync($"/api/v1/tenants/{Tenant}/members/mallory", new { role = "viewer" }, Cancellation))
        {
            Assert.True(invite.IsSuccessStatusCode, await invite.Content.ReadAsStringAsync(Cancellation));
        }

        using (var notAdmin = await dave.PostAsJsonAsync("/api/v1/tenants", new { name = "dave-" + Guid.NewGuid().ToString("N")[..6], displayName = "no" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        // erin is a platform admin through the platform-admin group.
        using var erin = await controlPlane.CreateClientAsync("erin", Cancellation);
        using (var tenant = await erin.PostAsJsonAsync("/api/v1/tenants", new { name = "erin-" + Guid.NewGuid().ToString("N")[..6], displayName = "by group" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, tenant.StatusCode);
        }

        // Someone with neither sees nothing of the tenant.
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, (await developer.GetAsync($"/api/v1/tenants/{Tenant}", Cancellation)).StatusCode);
    }
}
