using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;

namespace AgentGateway.Tests.AdminApi.ControlPlane.Xds;

/// <summary>
/// A proxy receives only the tenants it serves: those its node asks for, and never beyond those its credential is
/// limited to (<c>Xds:ProxyTenants</c>) — their routes, host grants and secrets; nothing of another tenant. Its reports
/// are held to those tenants too, and so are the users' tokens it may ask the vault for.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class XdsScopeTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AProxyReceivesTheTenantsItServes_AndNoMoreThanItsCredentialMay()
    {
        var database = "scope_" + Guid.NewGuid().ToString("N")[..8];
        var (adminApi, xdsUrl) = await controlPlane.StartAdminApiAsync(database, ControlPlaneFixture.NewMasterKey(), [], Cancellation,
            new Dictionary<string, string> { ["Xds:ProxyTenants:agentgateway-proxy:0"] = "alpha", ["Xds:ProxyTenants:agentgateway-proxy:1"] = "beta" });
        await using (adminApi)
        {
            using var admin = new HttpClient { BaseAddress = adminApi.BaseAddress };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await controlPlane.GetTokenAsync("admin", Cancellation));
            (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { host = "example.test", description = "never called" }, Cancellation)).EnsureSuccessStatusCode();
            foreach (var tenant in new[] { "alpha", "beta", "gamma" })
            {
                (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, displayName = tenant }, Cancellation)).EnsureSuccessStatusCode();
                (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/token", new { value = $"{tenant}-secret" }, Cancellation)).EnsureSuccessStatusCode();
                (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
                {
                    name = "api", kind = "http", destinations = new[] { new { name = "main", url = "http://example.test" } },
                }, Cancellation)).EnsureSuccessStatusCode();
                (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
                {
                    name = "key", kind = "backend-auth", targetRef = new { kind = "route", name = "api" }, spec = new { header = new { value = new { secretRef = "token" } } },
                }, Cancellation)).EnsureSuccessStatusCode();
            }

            // The proxy credential is limited to alpha and beta: asking for nothing, it gets those two.
            await using (var all = await XdsTestClient.ConnectAsync(controlPlane, xdsUrl, Cancellation, ResourceTypes.Route))
            {
                var alpha = await all.WaitForAsync<Route>(ResourceTypes.Route, "alpha/api", _ => true, Cancellation, TimeSpan.FromSeconds(20));
                Assert.Equal("alpha-secret", alpha.Http.Auth.Header.Value.Inline);
                await all.WaitForAsync<Route>(ResourceTypes.Route, "beta/api", _ => true, Cancellation);
                Assert.False(all.Holds(ResourceTypes.Route, "gamma/api"));
            }

            // Asking for beta and gamma, it gets beta alone: a node may narrow its share, never widen it.
            await using var narrow = await XdsTestClient.ConnectAsync(controlPlane, xdsUrl, ["beta", "gamma"], Cancellation, ResourceTypes.Route);
            await narrow.WaitForAsync<Route>(ResourceTypes.Route, "beta/api", _ => true, Cancellation, TimeSpan.FromSeconds(20));
            Assert.False(narrow.Holds(ResourceTypes.Route, "alpha/api"));
            Assert.False(narrow.Holds(ResourceTypes.Route, "gamma/api"));

            // Its reports are held to the same tenants: a call record of gamma from it is dropped.
            var report = new ReportRequest { NodeId = "scoped" };
            report.Calls.Add(Endpoints.CallsApiTests.Call("alpha", "api", "GET", string.Empty, null, "ok", 3, DateTimeOffset.UtcNow, kind: "a2a"));
            report.Calls.Add(Endpoints.CallsApiTests.Call("gamma", "api", "GET", string.Empty, null, "ok", 3, DateTimeOffset.UtcNow, kind: "a2a"));
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(xdsUrl);
            await new GatewayReports.GatewayReportsClient(channel).ReportAsync(
                report, new Grpc.Core.Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } }, cancellationToken: Cancellation);
            Assert.Single(await admin.GetFromJsonAsync<object[]>("/api/v1/tenants/alpha/calls", Cancellation) ?? []);
            Assert.Empty(await admin.GetFromJsonAsync<object[]>("/api/v1/tenants/gamma/calls", Cancellation) ?? []);

            // And so are users' tokens from the vault: it may ask for alpha's, not for gamma's.
            var proxyToken = new Grpc.Core.Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } };
            var vault = new GatewayReports.GatewayReportsClient(channel);
            var none = await vault.GetUserTokenAsync(new UserTokenRequest { Tenant = "alpha", Connection = "key", Subject = "jwt:https://issuer|someone" }, proxyToken, cancellationToken: Cancellation);
            Assert.Empty(none.AccessToken);
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => vault.GetUserTokenAsync(
                new UserTokenRequest { Tenant = "gamma", Connection = "key", Subject = "jwt:https://issuer|someone" }, proxyToken, cancellationToken: Cancellation).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, refused.StatusCode);
        }
    }
}
