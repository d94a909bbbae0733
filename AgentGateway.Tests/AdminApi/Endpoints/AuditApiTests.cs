using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// The admin audit log through the REST API: searchable by actor, resource type and name, action, tenant and time,
/// a page at a time; bad filters are problems; a tenant's log never shows another tenant's changes, whatever is asked.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class AuditApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuditLog_FiltersByActorTypeResourceActionAndTime_AndPages()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "admin");
        var started = DateTimeOffset.UtcNow;
        await ChangeServersAsync(developer, tenant);
        var audit = $"/api/v1/tenants/{tenant}/audit";

        Assert.Equal(["deleted notes", "created notes", "updated utils", "created utils"], Describe(await ListAsync(developer, $"{audit}?actor=developer&type=mcp-server")));
        Assert.Equal(["updated utils", "created utils"], Describe(await ListAsync(developer, $"{audit}?type=mcp-server&resource=utils")));
        Assert.Equal(["updated utils"], Describe(await ListAsync(developer, $"{audit}?type=mcp-server&action=updated")));
        Assert.Equal(["deleted notes"], Describe(await ListAsync(developer, $"{audit}?type=mcp-server&action=delete")));
        Assert.Contains(await ListAsync(developer, $"{audit}?actor=admin"), entry => entry.GetProperty("entityType").GetString() == "tenant");
        Assert.DoesNotContain(await ListAsync(developer, $"{audit}?actor=admin"), entry => entry.GetProperty("entityType").GetString() == "mcp-server");
        Assert.Empty(await ListAsync(developer, $"{audit}?actor=nobody"));

        // Time: from is inclusive, to exclusive; before pages on from the last page's oldest.
        var all = await ListAsync(developer, $"{audit}?type=mcp-server");
        var updated = all.Single(entry => entry.GetProperty("action").GetString() == "updated").GetProperty("occurredAt").GetDateTimeOffset();
        Assert.Equal(["deleted notes", "created notes", "updated utils"], Describe(await ListAsync(developer, $"{audit}?type=mcp-server&from={Time(updated)}")));
        Assert.Equal(["created utils"], Describe(await ListAsync(developer, $"{audit}?type=mcp-server&to={Time(updated)}&from={Time(started.AddSeconds(-1))}")));
        var first = await ListAsync(developer, $"{audit}?type=mcp-server&limit=2");
        var next = await ListAsync(developer, $"{audit}?type=mcp-server&limit=2&before={Time(first[^1].GetProperty("occurredAt").GetDateTimeOffset())}");
        Assert.Equal(["deleted notes", "created notes", "updated utils", "created utils"], Describe([.. first, .. next]));

        // The platform's log: the same filters, and a tenant.
        Assert.Equal(["updated utils"], Describe(await ListAsync(admin, $"/api/v1/audit?tenant={tenant}&type=mcp-server&action=updated")));

        foreach (var (query, field) in new[]
        {
            ($"{audit}?type=planet", "type"), ($"{audit}?action=renamed", "action"), ($"{audit}?limit=0", "limit"), ($"{audit}?limit=501", "limit"),
            ($"{audit}?from={Time(started)}&to={Time(started.AddMinutes(-1))}", "from"), ("/api/v1/audit?tenant=no-such-tenant", "tenant"),
        })
        {
            var problem = await AssertProblemAsync(await admin.GetAsync(new Uri(query, UriKind.Relative), Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    [Fact]
    public async Task TenantAdmin_NeverSeesAnotherTenantsChanges_WhateverTheFilter()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        // The same admin, the same resource names and the same changes in both tenants.
        var mine = await CreateTenantAsync(admin, "developer", "admin");
        var theirs = await CreateTenantAsync(admin, "developer", "admin");
        await ChangeServersAsync(developer, mine);
        await ChangeServersAsync(developer, theirs);
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{theirs}/members/developer", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();

        var theirIds = (await ListAsync(admin, $"/api/v1/audit?tenant={theirs}&limit=500")).Select(entry => entry.GetProperty("id").GetGuid()).ToHashSet();
        Assert.True(theirIds.Count >= 6, $"{theirIds.Count} entries in the other tenant");
        var mineIds = (await ListAsync(admin, $"/api/v1/audit?tenant={mine}&limit=500")).Select(entry => entry.GetProperty("id").GetGuid()).ToHashSet();
        Assert.Empty(theirIds.Intersect(mineIds));

        var audit = $"/api/v1/tenants/{mine}/audit";
        foreach (var query in new[]
        {
            "?limit=500", "?actor=developer&limit=500", "?actor=admin", "?type=mcp-server", "?type=tenant", "?type=member", "?resource=utils",
            "?resource=notes&action=deleted", $"?resource={theirs}", $"?tenant={theirs}", $"?tenant={theirs}&type=mcp-server",
            $"?from={Time(DateTimeOffset.UtcNow.AddHours(-1))}&to={Time(DateTimeOffset.UtcNow.AddHours(1))}&limit=500",
        })
        {
            var entries = await ListAsync(developer, audit + query);
            Assert.DoesNotContain(entries, entry => theirIds.Contains(entry.GetProperty("id").GetGuid()));
            Assert.All(entries, entry => Assert.Contains(entry.GetProperty("id").GetGuid(), mineIds));
        }

        Assert.Equal(2, (await ListAsync(developer, $"{audit}?resource=utils")).Count);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{theirs}/audit?resource=utils", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/audit?tenant={theirs}", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/audit?tenant={mine}", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
    }

    /// <summary>Creates 'utils', changes its description, creates and deletes 'notes'.</summary>
    private async Task ChangeServersAsync(HttpClient client, string tenant)
    {
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";
        await CreateServerAsync(client, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        using (var update = Put($"{servers}/utils", new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = "changed" }, null))
        {
            (await client.SendAsync(update, Cancellation)).EnsureSuccessStatusCode();
        }

        await CreateServerAsync(client, tenant, "notes", controlPlane.Samples.NotesEndpoint);
        (await client.DeleteAsync(new Uri($"{servers}/notes", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return [.. JsonDocument.Parse(text).RootElement.Clone().EnumerateArray()];
    }

    private static List<string> Describe(IEnumerable<JsonElement> entries) =>
        [.. entries.Select(entry => $"{entry.GetProperty("action").GetString()} {entry.GetProperty("entityName").GetString()}")];

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
}
