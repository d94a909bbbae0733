using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using Google.Protobuf.WellKnownTypes;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>The model price table, and LLM usage reported by proxies, priced, and summed per group and day through the REST API.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class LlmUsageApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ModelPrices_AreSetByPlatformAdmins_AndReadByEveryone()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var model = NewName("model");

        await AssertProblemAsync(await developer.PutAsJsonAsync($"/api/v1/model-prices/{model}", new { inputPerMillion = 1, outputPerMillion = 2 }, Cancellation), HttpStatusCode.Forbidden);
        var invalid = await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/model-prices/{model}", new { inputPerMillion = -1 }, Cancellation), HttpStatusCode.BadRequest);
        Assert.Equal(["inputPerMillion", "outputPerMillion"], invalid.GetProperty("errors").EnumerateObject().Select(error => error.Name).Order());

        using (var set = await admin.PutAsJsonAsync($"/api/v1/model-prices/{model}", new { inputPerMillion = 2.5m, outputPerMillion = 10m }, Cancellation))
        {
            var body = await set.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal((2.5m, 10m, "USD", "admin"), (body.GetProperty("inputPerMillion").GetDecimal(), body.GetProperty("outputPerMillion").GetDecimal(),
                body.GetProperty("currency").GetString(), body.GetProperty("updatedBy").GetString()));
        }

        (await admin.PutAsJsonAsync($"/api/v1/model-prices/{model}", new { inputPerMillion = 3m, outputPerMillion = 12m }, Cancellation)).EnsureSuccessStatusCode();
        var listed = (await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/model-prices", Cancellation))!.Single(price => price.GetProperty("model").GetString() == model);
        Assert.Equal(3m, listed.GetProperty("inputPerMillion").GetDecimal());

        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"/api/v1/model-prices/{model}", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/model-prices/{model}", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/model-prices/{model}", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ReportedUsage_IsPricedOnArrival_AndSummedPerGroupAndBucket()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "viewer");
        var other = await CreateTenantAsync(admin, null, null);
        var (priced, unpriced) = (NewName("gpt"), NewName("local"));
        (await admin.PutAsJsonAsync($"/api/v1/model-prices/{priced}", new { inputPerMillion = 0.15m, outputPerMillion = 0.60m }, Cancellation)).EnsureSuccessStatusCode();
        var key = await CreateKeyAsync(admin, tenant, "ci");
        var foreignKey = await CreateKeyAsync(admin, other, "theirs");
        var today = DateTimeOffset.UtcNow.UtcDateTime.Date;
        var (first, second) = (new DateTimeOffset(today.AddDays(-2).AddHours(10), TimeSpan.Zero), new DateTimeOffset(today.AddDays(-1).AddHours(9), TimeSpan.Zero));

        var report = new ReportRequest { NodeId = "usage-test" };
        report.LlmUsage.Add(Record(tenant, key, "fast", priced, 1000, 500, first));
        report.LlmUsage.Add(Record(tenant, null, "fast", priced, 2000, 1000, second, subject: "jwt:https://idp|alice"));
        report.LlmUsage.Add(Record(tenant, foreignKey, "smart", unpriced, 10, 10, second, estimated: true));
        report.LlmUsage.Add(Record("no-such-tenant-" + tenant, null, "fast", priced, 5, 5, second));
        await ToolPinsTests.ReportAsync(controlPlane, report);

        // The same records again (a report the proxy did not see answered, or its journal sent by the next proxy after
        // a crash), one of them twice: stored, priced and counted once.
        report.LlmUsage.Add(report.LlmUsage[0]);
        await ToolPinsTests.ReportAsync(controlPlane, report);

        using var viewer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var period = $"from={Uri.EscapeDataString(today.AddDays(-2).ToString("O"))}&to={Uri.EscapeDataString(today.ToString("O"))}";
        var byModel = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/llm-usage?{period}", Cancellation);
        Assert.Equal(("day", "model", "USD"), (byModel.GetProperty("interval").GetString(), byModel.GetProperty("groupBy").GetString(), byModel.GetProperty("currency").GetString()));
        Assert.Equal(2, byModel.GetProperty("buckets").GetArrayLength());
        var totals = byModel.GetProperty("totals");
        Assert.Equal((3L, 3010L, 1510L, 1L), (totals.GetProperty("requests").GetInt64(), totals.GetProperty("inputTokens").GetInt64(),
            totals.GetProperty("outputTokens").GetInt64(), totals.GetProperty("unpricedRequests").GetInt64()));
        // 3000 input tokens at 0.15 and 1500 output tokens at 0.60 per million.
        Assert.Equal(0.00135m, totals.GetProperty("cost").GetDecimal());
        var fast = byModel.GetProperty("groups")[0];
        Assert.Equal("fast", fast.GetProperty("key").GetString());
        Assert.Equal([1L, 1L], fast.GetProperty("points").EnumerateArray().Select(point => point.GetProperty("requests").GetInt64()));
        Assert.Equal([0.00045m, 0.0009m], fast.GetProperty("points").EnumerateArray().Select(point => point.GetProperty("cost").GetDecimal()));
        Assert.Equal(1, byModel.GetProperty("groups")[1].GetProperty("totals").GetProperty("unpricedRequests").GetInt64());

        // The spend is a metric of the control plane too, by tenant and model.
        using (var scrape = new HttpClient())
        {
            var lines = (await scrape.GetStringAsync(new Uri(controlPlane.ManagementUrl, "/metrics"), Cancellation)).Split('\n');
            var spent = lines.Single(line => line.StartsWith("agentgateway_llm_cost_total{", StringComparison.Ordinal)
                && line.Contains($"tenant=\"{tenant}\"", StringComparison.Ordinal) && line.Contains("gen_ai_request_model=\"fast\"", StringComparison.Ordinal));
            Assert.Equal(0.00135, double.Parse(spent[(spent.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 9);
        }

        // By key, the costliest first: another tenant's key is not linked. By hour: 48 buckets.
        var byKey = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/llm-usage?{period}&groupBy=api-key", Cancellation);
        Assert.Equal(
            [("(no key)", 2L), ("ci", 1L)],
            byKey.GetProperty("groups").EnumerateArray().Select(group => (group.GetProperty("key").GetString(), group.GetProperty("totals").GetProperty("requests").GetInt64())));
        var hourly = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/llm-usage?{period}&interval=hour&groupBy=subject", Cancellation);
        Assert.Equal(48, hourly.GetProperty("buckets").GetArrayLength());
        var alice = hourly.GetProperty("groups").EnumerateArray().Single(group => group.GetProperty("key").GetString() == "jwt:https://idp|alice");
        Assert.Equal(1, alice.GetProperty("points")[24 + 9].GetProperty("requests").GetInt64());

        // The latest records, newest first, with the key's name.
        var records = await viewer.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/llm-usage/records?limit=3", Cancellation);
        Assert.Equal(3, records!.Length);
        Assert.Equal("ci", records[^1].GetProperty("apiKey").GetString());
        Assert.Equal((1000L, 500L, 0.00045m), (records[^1].GetProperty("inputTokens").GetInt64(), records[^1].GetProperty("outputTokens").GetInt64(), records[^1].GetProperty("cost").GetDecimal()));
        Assert.Contains(records, record => record.GetProperty("estimated").GetBoolean() && record.GetProperty("cost").ValueKind == JsonValueKind.Null);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{other}/llm-usage", Cancellation)).GetProperty("groups").EnumerateArray());

        foreach (var (query, field) in new[] { ("interval=week", "interval"), ("groupBy=color", "groupBy"), ($"from={Uri.EscapeDataString(today.ToString("O"))}&to={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}", "from"), ("interval=hour&from=2020-01-01T00:00:00Z", "from") })
        {
            var problem = await AssertProblemAsync(await viewer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/llm-usage?{query}", UriKind.Relative), Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }

        await AssertProblemAsync(await viewer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/llm-usage/records?limit=0", UriKind.Relative), Cancellation), HttpStatusCode.BadRequest);
    }

    private static LlmUsageRecord Record(
        string tenant, string? keyId, string model, string providerModel, ulong input, ulong output, DateTimeOffset at, string subject = "", bool estimated = false) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Tenant = tenant,
        Route = "models",
        ApiKeyId = keyId ?? string.Empty,
        Subject = keyId is null ? subject : $"apikey:{keyId}",
        Model = model,
        Provider = "openai",
        ProviderModel = providerModel,
        InputTokens = input,
        OutputTokens = output,
        Estimated = estimated,
        DurationMs = 420,
        Outcome = "ok",
        Api = "chat.completions",
        At = Timestamp.FromDateTimeOffset(at),
    };

    private static async Task<string> CreateKeyAsync(HttpClient admin, string tenant, string name)
    {
        using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/api-keys", new { name }, Cancellation);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString()!;
    }
}
