using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Core;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Grpc.Core;
using Grpc.Net.Client;
using RpcStatus = AgentGateway.Contracts.Rpc.Status;

namespace AgentGateway.Tests.AdminApi.ControlPlane.Xds;

/// <summary>The Delta ADS protocol as a proxy sees it, spoken by a raw gRPC client against the real server.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class XdsServerTests(ControlPlaneFixture controlPlane)
{
    private static readonly TimeSpan s_pushBudget = TimeSpan.FromSeconds(2);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_SendsAllRoutes_PushesChangesAndRemovals_AndRecordsAcksAndNacks()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "first", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();

        using var scrape = new HttpClient();
        var before = await scrape.GetStringAsync(new Uri(controlPlane.ManagementUrl, "/metrics"), Cancellation);
        using var channel = GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        var nodeId = "test-" + Guid.NewGuid().ToString("N")[..8];
        using var call = client.DeltaAggregatedResources(await ProxyHeadersAsync(), cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = new Node { Id = nodeId }, TypeUrl = ResourceTypes.Route }, Cancellation);

        // The first response carries everything the server's snapshot holds; the route just committed is in it,
        // or in a push right after it if the snapshot was being rebuilt when the stream opened.
        DeltaDiscoveryResponse response;
        Resource? first = null;
        using (var push = CancellationTokenSource.CreateLinkedTokenSource(Cancellation))
        {
            push.CancelAfter(s_pushBudget);
            do
            {
                response = await NextAsync(call, push.Token);
                Assert.Equal(ResourceTypes.Route, response.TypeUrl);
                first = response.Resources.SingleOrDefault(resource => resource.Name == $"{tenant}/first") ?? first;
                await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = ResourceTypes.Route, ResponseNonce = response.Nonce }, Cancellation);
            }
            while (first is null);
        }

        var route = first.Resource_.Unpack<Route>();
        Assert.Equal($"/{tenant}/first", route.Match.Path);
        Assert.Equal(controlPlane.Samples.UtilsEndpoint.AbsoluteUri, route.Mcp.Targets.Single().StreamableHttp.Url);
        await WaitForProxyAsync(admin, nodeId, status => status.GetProperty("ackedVersion").GetString() == response.SystemVersionInfo);

        // A committed change is pushed, and only the change.
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "second", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        using (var push = CancellationTokenSource.CreateLinkedTokenSource(Cancellation))
        {
            push.CancelAfter(s_pushBudget);
            var added = await NextAsync(call, push.Token);
            Assert.Equal([$"{tenant}/second"], added.Resources.Select(resource => resource.Name));
            Assert.Empty(added.RemovedResources);

            // A NACK is recorded against the proxy with its reason.
            await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest
            {
                TypeUrl = ResourceTypes.Route,
                ResponseNonce = added.Nonce,
                ErrorDetail = new RpcStatus { Code = 3, Message = "route rejected by test" },
            }, Cancellation);
            await WaitForProxyAsync(admin, nodeId, status => status.GetProperty("lastNackError").GetString() == "route rejected by test");
        }

        // The metrics count this proxy's replies and hold it among the proxies that NACKed, at the revision served.
        var after = await scrape.GetStringAsync(new Uri(controlPlane.ManagementUrl, "/metrics"), Cancellation);
        Assert.Equal(1, PrometheusText.Added(before, after, "agentgateway_xds_replies_total", "result=\"nack\""));
        Assert.True(PrometheusText.Added(before, after, "agentgateway_xds_replies_total", "result=\"ack\"") >= 1);
        Assert.True(PrometheusText.Value(after, "agentgateway_xds_proxies", "state=\"nacked\"") >= 1);
        Assert.True(PrometheusText.Value(after, "agentgateway_xds_revision") >= long.Parse(response.SystemVersionInfo, System.Globalization.CultureInfo.InvariantCulture));

        // A deleted route is announced as removed.
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/first", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        using (var push = CancellationTokenSource.CreateLinkedTokenSource(Cancellation))
        {
            push.CancelAfter(s_pushBudget);
            var removed = await NextAsync(call, push.Token);
            Assert.Equal([$"{tenant}/first"], removed.RemovedResources);
            Assert.Empty(removed.Resources);
        }

        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Reconnect_WithInitialVersions_ReceivesOnlyWhatDiffers()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "kept", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();

        using var channel = GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        var headers = await ProxyHeadersAsync();
        Dictionary<string, string> held;
        using (var firstCall = client.DeltaAggregatedResources(headers, cancellationToken: Cancellation))
        {
            await firstCall.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = new Node { Id = "reconnect" }, TypeUrl = ResourceTypes.Route }, Cancellation);
            held = [];
            while (!held.ContainsKey($"{tenant}/kept"))
            {
                foreach (var resource in (await NextAsync(firstCall, Cancellation)).Resources)
                {
                    held[resource.Name] = resource.Version;
                }
            }
        }

        // The proxy comes back holding everything, one entry stale and one for a route that no longer exists.
        var kept = $"{tenant}/kept";
        held[kept] = "stale-version";
        held[$"{tenant}/gone"] = "0000000000000000";
        using var call = client.DeltaAggregatedResources(headers, cancellationToken: Cancellation);
        var resubscribe = new DeltaDiscoveryRequest { Node = new Node { Id = "reconnect" }, TypeUrl = ResourceTypes.Route };
        resubscribe.InitialResourceVersions.Add(held);
        await call.RequestStream.WriteAsync(resubscribe, Cancellation);

        var response = await NextAsync(call, Cancellation);
        Assert.Equal([kept], response.Resources.Select(resource => resource.Name));
        Assert.Contains($"{tenant}/gone", response.RemovedResources);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Stream_WithoutProxyRole_IsRefused()
    {
        using var channel = GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);

        using var anonymous = client.DeltaAggregatedResources(cancellationToken: Cancellation);
        var unauthenticated = await Assert.ThrowsAsync<RpcException>(() => SubscribeAndReadAsync(anonymous));
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);

        var developer = new Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("developer", Cancellation) } };
        using var forbidden = client.DeltaAggregatedResources(developer, cancellationToken: Cancellation);
        var denied = await Assert.ThrowsAsync<RpcException>(() => SubscribeAndReadAsync(forbidden));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    private static async Task SubscribeAndReadAsync(AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call)
    {
        try
        {
            await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = ResourceTypes.Route }, Cancellation);
        }
        catch (RpcException)
        {
            // The server may refuse the call before the request is written; the refusal's status comes with the response.
        }

        await call.ResponseStream.MoveNext(Cancellation);
    }

    [Fact]
    public async Task SessionKeys_AreServedOnTheSameStreamAsRoutes_AndARotationIsPushed()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await developer.PostAsync(new Uri("/api/v1/session-keys/rotate", UriKind.Relative), null, Cancellation)).StatusCode);

        using var channel = GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        using var call = client.DeltaAggregatedResources(await ProxyHeadersAsync(), cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = new Node { Id = "keys" }, TypeUrl = ResourceTypes.Route }, Cancellation);
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = ResourceTypes.SessionKey }, Cancellation);

        // Both types arrive on the one stream; the keys hold exactly one primary of 32 bytes.
        var keys = new Dictionary<string, SessionKey>(StringComparer.Ordinal);
        var types = new HashSet<string>(StringComparer.Ordinal);
        while (types.Count < 2)
        {
            var response = await NextAsync(call, Cancellation);
            types.Add(response.TypeUrl);
            if (response.TypeUrl == ResourceTypes.SessionKey)
            {
                foreach (var resource in response.Resources)
                {
                    keys[resource.Name] = resource.Resource_.Unpack<SessionKey>();
                }
            }

            await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce }, Cancellation);
        }

        var primary = Assert.Single(keys.Values, key => key.Primary);
        Assert.Equal(32, primary.Key.Length);

        // A rotation is pushed: a new primary, and the old key kept (demoted) so ids it sealed still open.
        var rotated = await admin.PostAsync(new Uri("/api/v1/session-keys/rotate", UriKind.Relative), null, Cancellation);
        rotated.EnsureSuccessStatusCode();
        var newId = (await rotated.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString()!;
        using (var push = CancellationTokenSource.CreateLinkedTokenSource(Cancellation))
        {
            push.CancelAfter(s_pushBudget);
            while (!keys.ContainsKey(newId) || keys[primary.Id].Primary)
            {
                var response = await NextAsync(call, push.Token);
                if (response.TypeUrl == ResourceTypes.SessionKey)
                {
                    foreach (var resource in response.Resources)
                    {
                        keys[resource.Name] = resource.Resource_.Unpack<SessionKey>();
                    }
                }

                await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce }, Cancellation);
            }
        }

        Assert.True(keys[newId].Primary);
        Assert.False(keys[primary.Id].Primary);

        // The API lists the keys without their material.
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/session-keys", Cancellation);
        Assert.Contains(listed.EnumerateArray(), key => key.GetProperty("id").GetString() == newId && key.GetProperty("primary").GetBoolean());
        Assert.DoesNotContain(listed.EnumerateArray(), key => key.TryGetProperty("material", out _) || key.TryGetProperty("key", out _));
    }

    private async Task<Metadata> ProxyHeadersAsync() =>
        new() { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } };

    private static async Task<DeltaDiscoveryResponse> NextAsync(
        AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, CancellationToken cancellationToken)
    {
        Assert.True(await call.ResponseStream.MoveNext(cancellationToken), "The server closed the stream.");
        return call.ResponseStream.Current;
    }

    private static async Task WaitForProxyAsync(HttpClient admin, string nodeId, Func<JsonElement, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        JsonElement[] proxies = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            proxies = await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/proxies", Cancellation) ?? [];
            if (proxies.Any(proxy => proxy.GetProperty("nodeId").GetString() == nodeId && condition(proxy)))
            {
                return;
            }

            await Task.Delay(50, Cancellation);
        }

        Assert.Fail($"Proxy {nodeId} never reached the expected state: {JsonSerializer.Serialize(proxies)}");
    }
}
