using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using Google.Protobuf.WellKnownTypes;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// The data plane's audit trail through the REST API: call records proxies report, stored once each, searchable by
/// route, target, caller, outcome and time, summarized with percentiles, and visible to their tenant alone.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class CallsApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReportedCalls_AreStoredOnce_SearchableAndSummarized_ForTheirTenantAlone()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var other = await CreateTenantAsync(admin, "developer", "viewer");
        var now = DateTimeOffset.UtcNow;
        var records = new List<CallRecord>();
        for (var index = 0; index < 10; index++)
        {
            records.Add(Call(tenant, "tools", "tools/call", "search", "jwt:https://idp|alice", "ok", durationMs: (uint)(10 * (index + 1)), at: now.AddMinutes(-index)));
        }

        records.Add(Call(tenant, "tools", "tools/call", "delete", "apikey:k1", "refused", durationMs: 1, at: now.AddMinutes(-1), code: -32041, error: "Forbidden"));
        records.Add(Call(tenant, "models", "chat.completions", "fast", null, "ok", durationMs: 700, at: now.AddMinutes(-2), kind: "llm", input: 120, output: 30));
        records.Add(Call(other, "tools", "tools/call", "search", "jwt:https://idp|mallory", "ok", durationMs: 5, at: now));
        records.Add(Call("no-such-tenant-" + tenant, "tools", "tools/call", "search", null, "ok", durationMs: 5, at: now));
        var report = new ReportRequest { NodeId = "calls-test" };
        report.Calls.Add(records);
        await ToolPinsTests.ReportAsync(controlPlane, report);
        // The same report again (a retry after a lost answer) stores nothing twice.
        await ToolPinsTests.ReportAsync(controlPlane, report);

        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var all = await developer.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls?limit=500", Cancellation);
        Assert.Equal(12, all!.Length);
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.GetProperty("at").GetDateTimeOffset() >= pair.Second.GetProperty("at").GetDateTimeOffset()));

        var refused = Assert.Single(await developer.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls?outcome=refused", Cancellation) ?? []);
        Assert.Equal(("delete", "apikey:k1", -32041, "Forbidden"), (refused.GetProperty("target").GetString(), refused.GetProperty("caller").GetString(),
            refused.GetProperty("code").GetInt32(), refused.GetProperty("error").GetString()));
        var byCaller = await developer.GetFromJsonAsync<JsonElement[]>(
            $"/api/v1/tenants/{tenant}/calls?caller={Uri.EscapeDataString("jwt:https://idp|alice")}&target=search&from={Uri.EscapeDataString(now.AddMinutes(-4.5).ToString("O"))}", Cancellation);
        Assert.Equal(5, byCaller!.Length);
        var page = await developer.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls?limit=3", Cancellation);
        var next = await developer.GetFromJsonAsync<JsonElement[]>(
            $"/api/v1/tenants/{tenant}/calls?limit=3&before={Uri.EscapeDataString(page![^1].GetProperty("at").GetDateTimeOffset().ToString("O"))}", Cancellation);
        Assert.DoesNotContain(next!, call => page.Any(seen => seen.GetProperty("id").GetGuid() == call.GetProperty("id").GetGuid()));
        var one = await developer.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/calls/{refused.GetProperty("id").GetGuid()}", Cancellation);
        Assert.Equal("tools", one.GetProperty("route").GetString());

        // Per route: counts, the calls that did not end well, and percentiles Postgres computed over the period.
        var summary = await developer.GetFromJsonAsync<JsonElement>(
            $"/api/v1/tenants/{tenant}/calls/summary?interval=hour&from={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}",
            Cancellation);
        Assert.Equal(12, summary.GetProperty("totals").GetProperty("calls").GetInt64());
        var tools = summary.GetProperty("groups").EnumerateArray().Single(group => group.GetProperty("key").GetString() == "tools").GetProperty("totals");
        Assert.Equal((11L, 1L), (tools.GetProperty("calls").GetInt64(), tools.GetProperty("errors").GetInt64()));
        Assert.Equal(50.0, tools.GetProperty("p50Ms").GetDouble());
        Assert.InRange(tools.GetProperty("p99Ms").GetDouble(), 99.0, 100.0);
        var models = summary.GetProperty("groups").EnumerateArray().Single(group => group.GetProperty("key").GetString() == "models").GetProperty("totals");
        Assert.Equal((120L, 30L), (models.GetProperty("inputTokens").GetInt64(), models.GetProperty("outputTokens").GetInt64()));
        Assert.Equal(12, summary.GetProperty("groups").EnumerateArray().Sum(group => group.GetProperty("points").EnumerateArray().Sum(point => point.GetProperty("calls").GetInt64())));

        // Another tenant's calls are not there, not even by id; a viewer does not read them; bad filters are 400.
        Assert.DoesNotContain(all, call => call.GetProperty("caller").GetString() == "jwt:https://idp|mallory");
        var foreign = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{other}/calls", Cancellation))!.Single().GetProperty("id").GetGuid();
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/calls/{foreign}", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{other}/calls", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        foreach (var (query, field) in new[] { ("calls?limit=0", "limit"), ("calls?outcome=maybe", "outcome"), ("calls/summary?groupBy=color", "groupBy"), ("calls/summary?interval=week", "interval") })
        {
            var problem = await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/{query}", UriKind.Relative), Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    [Fact]
    public async Task Summary_PerToolAndBucket_HasTheCountsErrorsPercentilesAndTokensOfTheCallsItsFiltersMatch()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        var report = new ReportRequest { NodeId = "calls-summary-test" };
        foreach (var duration in new uint[] { 10, 20, 30, 40 })
        {
            report.Calls.Add(Call(tenant, "tools", "tools/call", "search", "apikey:k1", "ok", duration, start.AddMinutes(duration)));
        }

        report.Calls.Add(Call(tenant, "tools", "tools/call", "delete", "apikey:k1", "error", 100, start.AddMinutes(50), code: -32603, error: "failed"));
        report.Calls.Add(Call(tenant, "tools", "tools/call", "search", "apikey:k2", "ok", 50, start.AddHours(1).AddMinutes(5)));
        report.Calls.Add(Call(tenant, "tools", "chat.completions", "fast", "apikey:k2", "ok", 200, start.AddHours(1).AddMinutes(10), kind: "llm", input: 100, output: 10));
        report.Calls.Add(Call(tenant, "tools", "chat.completions", "fast", "apikey:k2", "refused", 400, start.AddHours(1).AddMinutes(20), kind: "llm", input: 50, output: 5));
        report.Calls.Add(Call(tenant, "other", "tools/call", "search", "jwt:https://idp|bob", "ok", 1000, start.AddHours(2).AddMinutes(1)));
        await ToolPinsTests.ReportAsync(controlPlane, report);

        var period = $"interval=hour&from={Uri.EscapeDataString(start.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(start.AddHours(3).ToString("O"))}";
        var summary = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/calls/summary?{period}&groupBy=tool&route=tools", Cancellation);
        Assert.Equal(4, summary.GetProperty("buckets").GetArrayLength());
        Assert.Equal(8, summary.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(["tools/call search", "chat.completions fast", "tools/call delete"],
            summary.GetProperty("groups").EnumerateArray().Select(group => group.GetProperty("key").GetString()));

        var search = Group(summary, "tools/call search");
        Assert.Equal((5L, 0L, 30.0), (search.GetProperty("totals").GetProperty("calls").GetInt64(), search.GetProperty("totals").GetProperty("errors").GetInt64(),
            search.GetProperty("totals").GetProperty("p50Ms").GetDouble()));
        var points = search.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([0L, 4L, 1L, 0L], points.Select(point => point.GetProperty("calls").GetInt64()));
        Assert.Equal(25.0, points[1].GetProperty("p50Ms").GetDouble());
        Assert.Equal(39.7, points[1].GetProperty("p99Ms").GetDouble(), 6);
        Assert.Equal(50.0, points[2].GetProperty("p50Ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, points[0].GetProperty("p50Ms").ValueKind);

        var fast = Group(summary, "chat.completions fast").GetProperty("points")[2];
        Assert.Equal((2L, 1L, 300.0, 150L, 15L), (fast.GetProperty("calls").GetInt64(), fast.GetProperty("errors").GetInt64(), fast.GetProperty("p50Ms").GetDouble(),
            fast.GetProperty("inputTokens").GetInt64(), fast.GetProperty("outputTokens").GetInt64()));
        Assert.Equal(398.0, fast.GetProperty("p99Ms").GetDouble(), 6);

        // The tenant's points over all groups: percentiles of the bucket's calls, not of the groups'.
        var overall = summary.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([0L, 5L, 3L, 0L], overall.Select(point => point.GetProperty("calls").GetInt64()));
        Assert.Equal([0L, 1L, 1L, 0L], overall.Select(point => point.GetProperty("errors").GetInt64()));
        Assert.Equal(30.0, overall[1].GetProperty("p50Ms").GetDouble());
        Assert.Equal(200.0, overall[2].GetProperty("p50Ms").GetDouble());

        // Each filter narrows what is counted: by kind (models per target), caller, operation and outcome.
        var models = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/calls/summary?{period}&groupBy=target&kind=llm", Cancellation);
        var model = Assert.Single(models.GetProperty("groups").EnumerateArray());
        Assert.Equal(("fast", 150L), (model.GetProperty("key").GetString(), model.GetProperty("totals").GetProperty("inputTokens").GetInt64()));
        var bob = await admin.GetFromJsonAsync<JsonElement>(
            $"/api/v1/tenants/{tenant}/calls/summary?{period}&groupBy=route&caller={Uri.EscapeDataString("jwt:https://idp|bob")}", Cancellation);
        Assert.Equal((1L, 1000.0), (bob.GetProperty("totals").GetProperty("calls").GetInt64(), bob.GetProperty("totals").GetProperty("p99Ms").GetDouble()));
        var byCaller = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/calls/summary?{period}&groupBy=caller&operation=tools/call", Cancellation);
        Assert.Equal([("apikey:k1", 5L), ("apikey:k2", 1L), ("jwt:https://idp|bob", 1L)],
            byCaller.GetProperty("groups").EnumerateArray().Select(group => (group.GetProperty("key").GetString(), group.GetProperty("totals").GetProperty("calls").GetInt64())));
        var refused = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/calls/summary?{period}&outcome=refused", Cancellation);
        Assert.Equal(1, refused.GetProperty("totals").GetProperty("calls").GetInt64());
        var problem = await AssertProblemAsync(
            await admin.GetAsync(new Uri($"/api/v1/tenants/{tenant}/calls/summary?outcome=maybe", UriKind.Relative), Cancellation), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("outcome", out _));
    }

    [Fact]
    public async Task AnLlmCall_IsPricedOnArrival_ByTheProvidersModelFirst_AndItsCostAddsUpInTheSummary()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var (client, provider, unpriced) = ($"fast-{tenant}", $"provider-large-{tenant}", $"unpriced-{tenant}");
        (await admin.PutAsJsonAsync($"/api/v1/model-prices/{client}", new { inputPerMillion = 1m, outputPerMillion = 2m }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/model-prices/{provider}", new { inputPerMillion = 3m, outputPerMillion = 15m }, Cancellation)).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;
        var byProvider = Call(tenant, "models", "chat.completions", client, null, "ok", 200, now.AddMinutes(-1), kind: "llm", input: 1_000_000, output: 100_000);
        byProvider.ProviderModel = provider;
        var byClient = Call(tenant, "models", "chat.completions", client, null, "ok", 200, now.AddMinutes(-2), kind: "llm", input: 500_000, output: 500_000);
        byClient.ProviderModel = $"not-priced-{tenant}";
        var none = Call(tenant, "models", "chat.completions", unpriced, null, "ok", 200, now.AddMinutes(-3), kind: "llm", input: 10, output: 10);
        // A tool call is never priced, even one that names a priced model.
        var tool = Call(tenant, "tools", "tools/call", client, null, "ok", 5, now.AddMinutes(-4), input: 1_000_000);
        var report = new ReportRequest { NodeId = "calls-cost-test" };
        report.Calls.Add([byProvider, byClient, none, tool]);
        await ToolPinsTests.ReportAsync(controlPlane, report);

        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var calls = (await developer.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/calls", Cancellation))!
            .ToDictionary(call => call.GetProperty("id").GetGuid().ToString("N"), call => call.GetProperty("cost"));
        Assert.Equal(3m + 1.5m, calls[byProvider.Id].GetDecimal());
        Assert.Equal(0.5m + 1m, calls[byClient.Id].GetDecimal());
        Assert.Equal(JsonValueKind.Null, calls[none.Id].ValueKind);
        Assert.Equal(JsonValueKind.Null, calls[tool.Id].ValueKind);

        var summary = await developer.GetFromJsonAsync<JsonElement>(
            $"/api/v1/tenants/{tenant}/calls/summary?interval=hour&groupBy=target&from={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}",
            Cancellation);
        Assert.Equal(6m, summary.GetProperty("totals").GetProperty("cost").GetDecimal());
        Assert.Equal(4.5m + 1.5m, Group(summary, client).GetProperty("totals").GetProperty("cost").GetDecimal());
        Assert.Equal(0m, Group(summary, unpriced).GetProperty("totals").GetProperty("cost").GetDecimal());
    }

    private static JsonElement Group(JsonElement summary, string key) =>
        summary.GetProperty("groups").EnumerateArray().Single(group => group.GetProperty("key").GetString() == key);

    [Fact]
    public async Task ATenantsAuditArgumentsSetting_ReachesItsRoutesOverXds()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "api", kind = "http", destinations = new[] { new { name = "main", url = "http://example.test" } },
        }, Cancellation)).EnsureSuccessStatusCode();

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, controlPlane.XdsUrl, Cancellation, ResourceTypes.Route);
        var before = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", _ => true, Cancellation, TimeSpan.FromSeconds(20));
        Assert.False(before.AuditArguments);

        using (var set = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { displayName = tenant, auditArguments = true }, Cancellation))
        {
            set.EnsureSuccessStatusCode();
            Assert.True((await set.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("auditArguments").GetBoolean());
        }

        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/api", route => route.AuditArguments, Cancellation, TimeSpan.FromSeconds(20));
    }

    internal static CallRecord Call(
        string tenant, string route, string operation, string target, string? caller, string outcome, uint durationMs, DateTimeOffset at,
        string kind = "mcp", int code = 0, string error = "", ulong input = 0, ulong output = 0) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Tenant = tenant,
        Route = route,
        Kind = kind,
        Operation = operation,
        Target = target,
        Caller = caller ?? string.Empty,
        Outcome = outcome,
        Code = code,
        Error = error,
        DurationMs = durationMs,
        InputTokens = input,
        OutputTokens = output,
        At = Timestamp.FromDateTimeOffset(at),
    };
}
