using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;

namespace AgentGateway.Tests.AdminApi.ControlPlane.Xds;

/// <summary>
/// A change to one tenant's config rebuilds that tenant's routes alone, on top of the snapshot the control plane
/// holds; a change of what every tenant shares rebuilds it all. Proxies see the same config either way.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed partial class XdsIncrementalBuildTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATenantsChange_RebuildsItsRoutesAlone_OthersStayAsTheyWere_AndASharedChangeRebuildsEverything()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var steady = await RestApiTests.CreateTenantAsync(admin, null, null);
        var busy = await RestApiTests.CreateTenantAsync(admin, null, null);
        foreach (var tenant in new[] { steady, busy })
        {
            await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
            (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "tools", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var before = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{steady}/tools", _ => true, Cancellation);
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{busy}/tools", _ => true, Cancellation);

        // The busy tenant adds a route, changes one with a policy, and removes one: its routes alone are rebuilt.
        var logged = Builds().Count;
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{busy}/routes", new { name = "more", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{busy}/policies", new
        {
            name = "trace",
            kind = "response-headers",
            targetRef = new { kind = "route", name = "tools" },
            spec = new { set = new[] { new { name = "X-Trace", value = "on" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{busy}/more", _ => true, Cancellation);
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{busy}/tools", route => route.Policies?.ResponseHeaders is not null, Cancellation);
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{busy}/routes/more", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForRemovalAsync(ResourceTypes.Route, $"{busy}/more", Cancellation);

        var increments = Builds().Skip(logged).ToList();
        Assert.NotEmpty(increments);
        Assert.All(increments, build => Assert.Matches("the routes of [0-9]+ tenant\\(s\\) rebuilt", build));

        // The steady tenant's route is as it was, and still served.
        var after = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{steady}/tools", _ => true, Cancellation);
        Assert.Equal(before, after);

        // An egress allowlist rule concerns every tenant's routes: everything is rebuilt.
        logged = Builds().Count;
        (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { host = "incremental.example.test", description = "a shared change" }, Cancellation)).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Builds().Skip(logged).Any(build => build.EndsWith("(whole)", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "No whole rebuild after an egress allowlist change:\n" + string.Join('\n', Builds().Skip(logged)));
            await Task.Delay(100, Cancellation);
        }
    }

    [Theory]
    [InlineData("41:*", 41L, null)]
    [InlineData("42:0123456789abcdef0123456789abcdef", 42L, "0123456789abcdef0123456789abcdef")]
    [InlineData("behind the API", null, null)]
    [InlineData("43:not-a-tenant", 43L, null)]
    [InlineData("", null, null)]
    public void ANotification_NamesItsRevisionAndTenants_AndAnythingUnreadableMeansEverything(string payload, long? revision, string? tenant)
    {
        var (parsedRevision, tenants) = ConfigChangeScope.Parse(payload);
        Assert.Equal(revision, parsedRevision);
        if (tenant is null)
        {
            Assert.Null(tenants);
        }
        else
        {
            Assert.Equal([Guid.ParseExact(tenant, "N")], tenants!);
        }
    }

    /// <summary>The snapshot builds AdminApi logged so far, one line each.</summary>
    private List<string> Builds() => [.. BuildLine().Matches(controlPlane.AdminApiOutput).Select(match => match.Value.Trim())];

    [GeneratedRegex("xDS snapshot at config revision [0-9]+ .*")]
    private static partial Regex BuildLine();
}
