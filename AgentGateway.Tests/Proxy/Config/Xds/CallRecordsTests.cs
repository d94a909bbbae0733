using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>
/// The calls a proxy serves reach the control plane's audit trail: with the caller, the tool and (when the tenant
/// opts in) the arguments redacted; kept on the proxy's disk while the control plane is down, and delivered, each
/// once, when it is back; deleted after the retention period.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class CallRecordsTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToolCalls_AreRecorded_KeptOnDiskWhileTheControlPlaneIsDown_AndDeliveredWhenItIsBack()
    {
        var database = "calls_" + Guid.NewGuid().ToString("N")[..8];
        var key = ControlPlaneFixture.NewMasterKey();
        var xdsUrl = new Uri($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");
        var management = ServiceProcess.GetFreePort();
        var settings = new Dictionary<string, string>
        {
            ["Kestrel:Endpoints:Xds:Url"] = xdsUrl.ToString(),
            ["Management:Url"] = $"http://127.0.0.1:{management}",
            ["Audit:CallRetention"] = "1.00:00:00",
            ["Audit:CallRetentionInterval"] = "00:00:01",
        };
        var spool = Path.Combine(Path.GetTempPath(), "agentgateway-spool-test-" + Guid.NewGuid().ToString("N"));
        var (adminApi, _) = await controlPlane.StartAdminApiAsync(database, key, [], Cancellation, settings);
        var token = await controlPlane.GetTokenAsync("admin", Cancellation);
        using var admin = new HttpClient { BaseAddress = adminApi.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "audited", displayName = "Audited" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/v1/tenants/audited", new { displayName = "Audited", auditArguments = true }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { controlPlane.Samples.UtilsEndpoint.Port } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/tenants/audited/mcp-servers", new { name = "utils", transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/tenants/audited/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();

        await using var proxy = await ServiceProcess.StartAsync("AgentGateway.Proxy", new Dictionary<string, string>
        {
            ["Xds:Address"] = xdsUrl.ToString(),
            ["Xds:ClientId"] = "agentgateway-proxy",
            ["Xds:ClientSecret"] = "proxy-secret",
            ["Xds:ReportInterval"] = "00:00:00.300",
            ["Xds:SpoolDirectory"] = spool,
            ["Identity:Authority"] = controlPlane.Identity.Issuer.ToString(),
        }, Cancellation);
        await proxy.WaitUntilReadyAsync(Cancellation);
        var route = new Uri(proxy.BaseAddress, "/audited/mcp");
        await using (var client = await McpTestClient.ConnectAsync(route, Cancellation))
        {
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "first", ["password"] = "hunter2" }, cancellationToken: Cancellation);
        }

        var first = Assert.Single(await WaitForCallsAsync(admin, "audited", 1));
        Assert.Equal(("mcp", "tools/call", "echo", "ok"), (first.GetProperty("kind").GetString(), first.GetProperty("operation").GetString(),
            first.GetProperty("target").GetString(), first.GetProperty("outcome").GetString()));
        var arguments = JsonDocument.Parse(first.GetProperty("arguments").GetString()!).RootElement;
        Assert.Equal(("first", "[redacted]"), (arguments.GetProperty("message").GetString(), arguments.GetProperty("password").GetString()));

        // The control plane goes away; the proxy keeps serving its config, and keeps the records of what it serves.
        await adminApi.DisposeAsync();
        await using (var client = await McpTestClient.ConnectAsync(route, Cancellation))
        {
            for (var index = 0; index < 3; index++)
            {
                await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"while away {index}" }, cancellationToken: Cancellation);
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Directory.Exists(spool) || !Directory.EnumerateFiles(spool, "*.calls").Any())
        {
            Assert.True(DateTime.UtcNow < deadline, "No call records were spooled while the control plane was down:\n" + proxy.Output);
            await Task.Delay(100, Cancellation);
        }

        // Back (same database, same address): every call arrives, once, and the spool empties.
        var (back, _) = await controlPlane.StartAdminApiAsync(database, key, [], Cancellation, settings);
        await using (back)
        {
            using var again = new HttpClient { BaseAddress = back.BaseAddress };
            again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var calls = await WaitForCallsAsync(again, "audited", 4);
            Assert.Equal(4, calls.Select(call => call.GetProperty("id").GetGuid()).Distinct().Count());
            Assert.Equal(
                ["first", "while away 0", "while away 1", "while away 2"],
                calls.Select(call => JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("message").GetString()).Order(StringComparer.Ordinal));
            // The control plane counts what it stored, by tenant, kind and outcome, on its management listener.
            var scrape = await again.GetStringAsync(new Uri($"http://127.0.0.1:{management}/metrics"), Cancellation);
            Assert.Contains(scrape.Split('\n'), line => line.StartsWith("agentgateway_calls_stored_total{", StringComparison.Ordinal)
                && line.Contains("tenant=\"audited\"", StringComparison.Ordinal) && line.Contains("kind=\"mcp\"", StringComparison.Ordinal) && line.EndsWith(" 3", StringComparison.Ordinal));

            deadline = DateTime.UtcNow.AddSeconds(20);
            while (Directory.EnumerateFiles(spool, "*.calls").Any())
            {
                Assert.True(DateTime.UtcNow < deadline, "The spool did not empty");
                await Task.Delay(100, Cancellation);
            }

            // Past the retention period (a day here), a record goes.
            await using (var connection = new Npgsql.NpgsqlConnection(controlPlane.DatabaseConnectionString(database)))
            {
                await connection.OpenAsync(Cancellation);
                await using var age = new Npgsql.NpgsqlCommand("""UPDATE call_records SET "At" = now() - interval '2 days' WHERE "Arguments" LIKE '%first%'""", connection);
                Assert.Equal(1, await age.ExecuteNonQueryAsync(Cancellation));
            }

            await WaitForCallsAsync(again, "audited", 3);
        }

        Directory.Delete(spool, recursive: true);
    }

    [Fact]
    public async Task CallsOfAProxyKilledOutright_ReachTheAuditTrail_FromTheJournalTheNextProxyFinds()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await AgentGateway.Tests.AdminApi.Endpoints.RestApiTests.CreateTenantAsync(admin, null, null);
        await AgentGateway.Tests.AdminApi.Endpoints.RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        var journal = Path.Combine(Path.GetTempPath(), "agentgateway-journal-test-" + Guid.NewGuid().ToString("N"));

        // Reports an hour apart: when the proxy dies, its calls are on its disk alone.
        var dying = await controlPlane.StartProxyAsync(Cancellation, new Dictionary<string, string>
        {
            ["Xds:ReportInterval"] = "01:00:00",
            ["Xds:SpoolDirectory"] = journal,
        });
        var route = new Uri(dying.BaseAddress, $"/{tenant}/mcp");
        await using (var client = await McpTestClient.ConnectWhenServedAsync(route, Cancellation))
        {
            for (var index = 0; index < 3; index++)
            {
                await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"before the crash {index}" }, cancellationToken: Cancellation);
            }
        }

        // Records reach the journal moments after their calls: the proxy dies once all three are on its disk.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Journaled(journal) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Journaled(journal)} of 3 call records were journaled:\n" + dying.Output);
            await Task.Delay(50, Cancellation);
        }

        await dying.DisposeAsync();
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls", Cancellation))!);

        // The next proxy on the same directory delivers them, each once, and empties the journal.
        await using (await controlPlane.StartProxyAsync(Cancellation, new Dictionary<string, string>
        {
            ["Xds:ReportInterval"] = "00:00:00.300",
            ["Xds:SpoolDirectory"] = journal,
        }))
        {
            var calls = await WaitForCallsAsync(admin, tenant, 3);
            Assert.Equal(3, calls.Select(call => call.GetProperty("id").GetGuid()).Distinct().Count());
            deadline = DateTime.UtcNow.AddSeconds(20);
            while (Directory.EnumerateFiles(journal).Any())
            {
                Assert.True(DateTime.UtcNow < deadline, "The journal did not empty");
                await Task.Delay(100, Cancellation);
            }
        }

        Directory.Delete(journal, recursive: true);
    }

    /// <summary>How many call records the journal's open segments hold whole.</summary>
    private static int Journaled(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var count = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*.calls.open"))
        {
            using var segment = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                while (segment.Position < segment.Length)
                {
                    CallRecord.Parser.ParseDelimitedFrom(segment);
                    count++;
                }
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // A record being written: not whole yet.
            }
        }

        return count;
    }

    /// <summary>The tenant's calls once there are exactly <paramref name="count"/>.</summary>
    private static async Task<JsonElement[]> WaitForCallsAsync(HttpClient admin, string tenant, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var calls = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls", Cancellation);
                if (calls!.Length == count)
                {
                    return calls;
                }

                Assert.True(DateTime.UtcNow < deadline, $"Expected {count} calls, have {calls.Length}");
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The control plane is starting.
            }

            await Task.Delay(200, Cancellation);
        }
    }
}
