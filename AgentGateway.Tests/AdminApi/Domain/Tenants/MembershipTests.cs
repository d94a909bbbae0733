using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Fixtures;
using Npgsql;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Domain.Tenants;

/// <summary>
/// Memberships are keyed by the token's <c>sub</c>: an invitation of a name is bound to the first user who signs in
/// with it, and from then on the name is only shown — a membership of another subject grants nothing to whoever now
/// goes by its name.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class MembershipTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnInvitationIsBoundToTheFirstSubject_AndTheNameAloneGrantsNothing()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);

        // Invited by name: pending until the user signs in.
        var invited = await (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/members/developer", new { role = "viewer" }, Cancellation)).Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.True(invited.GetProperty("pending").GetBoolean());
        Assert.Equal(JsonValueKind.Null, invited.GetProperty("subject").ValueKind);

        // The first request of the user with that name binds the invitation to its sub.
        var me = await developer.GetFromJsonAsync<JsonElement>("/api/v1/me", Cancellation);
        var subject = me.GetProperty("subject").GetString()!;
        Assert.Contains(me.GetProperty("tenants").EnumerateArray(), entry => entry.GetProperty("name").GetString() == tenant && entry.GetProperty("role").GetString() == "viewer");
        var member = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/members", Cancellation)).EnumerateArray().Single();
        Assert.Equal(subject, member.GetProperty("subject").GetString());
        Assert.False(member.GetProperty("pending").GetBoolean());

        // The member is named by sub from then on (a role change, by the admin).
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/members/sub:{subject}", new { role = "developer" }, Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation)).StatusCode);

        // The membership passes to another subject (as if the name had been someone else's when it was bound): the
        // user now going by the name gets nothing from it.
        await using (var connection = new NpgsqlConnection(controlPlane.ConnectionString))
        {
            await connection.OpenAsync(Cancellation);
            await using var command = new NpgsqlCommand(
                "UPDATE tenant_members SET \"Subject\" = 'someone-else' WHERE \"Subject\" = @subject AND \"TenantId\" = (SELECT \"Id\" FROM tenants WHERE \"Name\" = @tenant)", connection);
            command.Parameters.AddWithValue("subject", subject);
            command.Parameters.AddWithValue("tenant", tenant);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Cancellation));
        }

        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        me = await developer.GetFromJsonAsync<JsonElement>("/api/v1/me", Cancellation);
        Assert.DoesNotContain(me.GetProperty("tenants").EnumerateArray(), entry => entry.GetProperty("name").GetString() == tenant);

        // Inviting the name again is a new invitation (the old membership keeps its subject); the user leaves by sub.
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/members/sub:{subject}", new { role = "viewer" }, Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await developer.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/members/sub:{subject}", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ManyFirstRequestsAtOnce_BindTheInvitationOnce_AndNeverLoseIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        for (var round = 0; round < 5; round++)
        {
            // A browser signing in sends several requests at once; each may be the first to see the invitation.
            var tenant = await CreateTenantAsync(admin, null, null);
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/members/developer", new { role = "developer" }, Cancellation)).EnsureSuccessStatusCode();
            var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async index =>
            {
                using var response = index % 2 == 0
                    ? await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation)
                    : await developer.GetAsync(new Uri("/api/v1/me", UriKind.Relative), Cancellation);
                return response.StatusCode;
            }));
            Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));

            var member = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/members", Cancellation)).EnumerateArray());
            Assert.False(member.GetProperty("pending").GetBoolean());
            Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes", UriKind.Relative), Cancellation)).StatusCode);
        }
    }
}
