using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

namespace AgentGateway.Tests.Proxy.Kinds.Llm;

/// <summary>A proxy configured by the control plane over xDS, and recorded LLM providers the egress allowlist lets it reach.</summary>
public sealed class ControlPlaneLlmRouteFixture(ControlPlaneFixture controlPlane) : IAsyncLifetime
{
    public RecordedLlmProviders Providers { get; private set; } = null!;

    public ServiceProcess Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Providers = await RecordedLlmProviders.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", cancellationToken);
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist",
            new { cidr = "127.0.0.1/32", ports = new[] { Providers.Address.Port }, description = "the recorded LLM providers" }, cancellationToken);
        allowed.EnsureSuccessStatusCode();
        Proxy = await controlPlane.StartProxyAsync(cancellationToken, new Dictionary<string, string> { ["Xds:ReportInterval"] = "00:00:01" });
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Providers is not null)
        {
            await Providers.DisposeAsync();
        }
    }
}

/// <summary>
/// An LLM route made through the REST API (providers of the catalog, their keys as secrets in backend-auth
/// policies, model aliases) reaches a proxy over xDS and serves both client APIs from both provider kinds; the proxy
/// reports each request's usage, which AdminApi prices and sums.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ControlPlaneLlmRouteTests(ControlPlaneFixture controlPlane, ControlPlaneLlmRouteFixture fixture) : IClassFixture<ControlPlaneLlmRouteFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnLlmRouteMadeThroughTheApi_ServesItsModels_WithTheProvidersKeysFromSecrets()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        var api = $"/api/v1/tenants/{tenant}";
        (await admin.PutAsJsonAsync("/api/v1/model-prices/gpt-4o-mini", new { inputPerMillion = 0.15m, outputPerMillion = 0.60m }, Cancellation)).EnsureSuccessStatusCode();
        foreach (var secret in new[] { "openai-key", "claude-key" })
        {
            (await admin.PutAsJsonAsync($"{api}/secrets/{secret}", new { value = "sk-" + secret }, Cancellation)).EnsureSuccessStatusCode();
        }

        foreach (var (path, body) in new (string, object)[]
        {
            ("llm-providers", new { name = "openai", kind = "openai", url = fixture.Providers.OpenAiUrl.ToString() }),
            ("llm-providers", new { name = "claude", kind = "anthropic", url = fixture.Providers.AnthropicUrl.ToString() }),
            ("routes", new
            {
                name = "models",
                kind = "llm",
                providers = new[] { "openai", "claude" },
                models = new object[]
                {
                    new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } },
                    new { name = "careful", targets = new[] { new { provider = "claude", model = "claude-sonnet-4-5-20250929" } } },
                },
            }),
            ("policies", new
            {
                name = "openai-key", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "openai" },
                spec = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { secretRef = "openai-key" } } },
            }),
            ("policies", new
            {
                name = "claude-key", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "claude" },
                spec = new { header = new { name = "x-api-key", value = new { secretRef = "claude-key" } } },
            }),
        })
        {
            using var response = await admin.PostAsJsonAsync($"{api}/{path}", body, Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        using var client = new HttpClient { BaseAddress = fixture.Proxy.BaseAddress };
        var completions = new Uri($"/{tenant}/models/v1/chat/completions", UriKind.Relative);
        string Chat(string model) => JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "Hello" } } });

        // The route and its two policies were several changes; wait for the config that has the keys.
        JsonElement answer = default;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var response = await client.PostAsync(completions, new StringContent(Chat("fast"), Encoding.UTF8, "application/json"), Cancellation);
            var text = await response.Content.ReadAsStringAsync(Cancellation);
            if (response.StatusCode == HttpStatusCode.OK
                && fixture.Providers.Requests.Any(request => request.Provider == "openai" && request.Headers.ContainsKey("authorization")))
            {
                answer = JsonDocument.Parse(text).RootElement.Clone();
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the LLM route and its keys to reach the proxy: {(int)response.StatusCode} {text}");
            await Task.Delay(200, Cancellation);
        }

        Assert.Equal("Hello! How can I assist you today?", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var fastUsage = answer.GetProperty("usage");
        Assert.Equal("gpt-4o-mini", (string?)fixture.Providers.LastBody("openai")["model"]);
        Assert.Equal("Bearer sk-openai-key", fixture.Providers.LastHeaders("openai")["authorization"]);

        // The alias served by the Anthropic provider: the chat request translated, its key from the other secret.
        deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var response = await client.PostAsync(completions, new StringContent(Chat("careful"), Encoding.UTF8, "application/json"), Cancellation);
            var text = await response.Content.ReadAsStringAsync(Cancellation);
            if (response.StatusCode == HttpStatusCode.OK && fixture.Providers.LastHeaders("anthropic").ContainsKey("x-api-key"))
            {
                answer = JsonDocument.Parse(text).RootElement.Clone();
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the Anthropic provider's key to reach the proxy: {(int)response.StatusCode} {text}");
            await Task.Delay(200, Cancellation);
        }

        Assert.Equal("chat.completion", answer.GetProperty("object").GetString());
        var carefulUsage = answer.GetProperty("usage");
        Assert.Equal("tool_calls", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("sk-claude-key", fixture.Providers.LastHeaders("anthropic")["x-api-key"]);
        Assert.Equal("claude-sonnet-4-5-20250929", (string?)fixture.Providers.LastBody("anthropic")["model"]);

        // The model list is the route's aliases; a model it does not list is refused in OpenAI's shape.
        var models = await client.GetFromJsonAsync<JsonElement>(new Uri($"/{tenant}/models/v1/models", UriKind.Relative), Cancellation);
        Assert.Equal(["fast", "careful"], models.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()));
        using var unknown = await client.PostAsync(completions, new StringContent(Chat("gpt-5"), Encoding.UTF8, "application/json"), Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("error").GetProperty("code").GetString());

        // The proxy reported the answered requests; AdminApi priced the one whose model has a price.
        JsonElement[] records;
        deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            records = (await admin.GetFromJsonAsync<JsonElement[]>($"{api}/llm-usage/records", Cancellation))!;
            if (records.Any(record => record.GetProperty("model").GetString() == "fast" && record.GetProperty("outcome").GetString() == "ok")
                && records.Any(record => record.GetProperty("model").GetString() == "careful"))
            {
                break;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the proxy to report its usage: {records.Length} record(s)");
            await Task.Delay(250, Cancellation);
        }

        var fast = records.Last(record => record.GetProperty("model").GetString() == "fast" && record.GetProperty("outcome").GetString() == "ok");
        Assert.Equal(("openai", "gpt-4o-mini", "models", "chat.completions"), (fast.GetProperty("provider").GetString(), fast.GetProperty("providerModel").GetString(),
            fast.GetProperty("route").GetString(), fast.GetProperty("api").GetString()));
        var (input, output) = (fastUsage.GetProperty("prompt_tokens").GetInt64(), fastUsage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal((input, output, false), (fast.GetProperty("inputTokens").GetInt64(), fast.GetProperty("outputTokens").GetInt64(), fast.GetProperty("estimated").GetBoolean()));
        Assert.Equal(((input * 0.15m) + (output * 0.60m)) / 1_000_000m, fast.GetProperty("cost").GetDecimal());
        var careful = records.Last(record => record.GetProperty("model").GetString() == "careful");
        Assert.Equal(("claude", carefulUsage.GetProperty("prompt_tokens").GetInt64()), (careful.GetProperty("provider").GetString(), careful.GetProperty("inputTokens").GetInt64()));
        Assert.Equal(JsonValueKind.Null, careful.GetProperty("cost").ValueKind);

        var byModel = await admin.GetFromJsonAsync<JsonElement>($"{api}/llm-usage", Cancellation);
        Assert.Contains(byModel.GetProperty("groups").EnumerateArray(), group => group.GetProperty("key").GetString() == "careful");

        // Its call record in the audit trail carries the provider's name for the model, and so the same price.
        JsonElement[] calls;
        deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while ((calls = (await admin.GetFromJsonAsync<JsonElement[]>($"{api}/calls?target=fast&outcome=ok", Cancellation))!).Length == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the proxy to report the call");
            await Task.Delay(250, Cancellation);
        }

        Assert.Equal(((input * 0.15m) + (output * 0.60m)) / 1_000_000m, calls[0].GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task CloudProvidersOfTheCatalog_ReachTheProxy_BedrockSignedWithTheTenantsAwsSecrets_AndVertexAi()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        var api = $"/api/v1/tenants/{tenant}";
        foreach (var (secret, value) in new[] { ("aws-key-id", RecordedLlmProviders.AwsAccessKey), ("aws-secret", RecordedLlmProviders.AwsSecretKey), ("vertex-token", "ya29.from-a-secret") })
        {
            (await admin.PutAsJsonAsync($"{api}/secrets/{secret}", new { value }, Cancellation)).EnsureSuccessStatusCode();
        }

        foreach (var (path, body) in new (string, object)[]
        {
            ("llm-providers", new { name = "aws", kind = "bedrock", url = fixture.Providers.BedrockUrl.ToString() }),
            ("llm-providers", new { name = "google", kind = "vertex-ai", url = fixture.Providers.VertexUrl.ToString() }),
            ("routes", new
            {
                name = "clouds",
                kind = "llm",
                providers = new[] { "aws", "google" },
                models = new object[]
                {
                    new { name = "haiku", targets = new[] { new { provider = "aws", model = "anthropic.claude-3-5-haiku-20241022-v1:0" } } },
                    new { name = "flash", targets = new[] { new { provider = "google", model = "gemini-2.5-flash" } } },
                },
            }),
            ("policies", new
            {
                name = "aws-credentials", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "aws" },
                spec = new { awsSigv4 = new { region = "us-east-1", service = "bedrock", accessKeyId = new { secretRef = "aws-key-id" }, secretAccessKey = new { secretRef = "aws-secret" } } },
            }),
            ("policies", new
            {
                name = "google-token", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "google" },
                spec = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { secretRef = "vertex-token" } } },
            }),
        })
        {
            using var response = await admin.PostAsJsonAsync($"{api}/{path}", body, Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        using var client = new HttpClient { BaseAddress = fixture.Proxy.BaseAddress };
        var completions = new Uri($"/{tenant}/clouds/v1/chat/completions", UriKind.Relative);
        string Chat(string model) => JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "Hello" } } });

        // The route and its two policies were several changes: Bedrock refuses (403) until the signing credentials
        // reached the proxy, Vertex AI answers without its token until that did.
        async Task<JsonElement> AnswerAsync(string model, string provider)
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                using var response = await client.PostAsync(completions, new StringContent(Chat(model), Encoding.UTF8, "application/json"), Cancellation);
                var text = await response.Content.ReadAsStringAsync(Cancellation);
                if (response.StatusCode == HttpStatusCode.OK && fixture.Providers.LastHeaders(provider).ContainsKey("authorization"))
                {
                    return JsonDocument.Parse(text).RootElement.Clone();
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"the route and its credentials to reach the proxy: {(int)response.StatusCode} {text}");
                await Task.Delay(200, Cancellation);
            }
        }

        var haiku = await AnswerAsync("haiku", "bedrock");
        Assert.Equal("Hello from Bedrock! How can I help you today?", haiku.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(("anthropic.claude-3-5-haiku-20241022-v1:0", "converse"), fixture.Providers.BedrockCalls.Last());
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={RecordedLlmProviders.AwsAccessKey}/", fixture.Providers.LastHeaders("bedrock")["authorization"], StringComparison.Ordinal);

        var flash = await AnswerAsync("flash", "vertex-google");
        Assert.Equal("Let me look up the weather in Paris.", flash.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("google/gemini-2.5-flash:generateContent", fixture.Providers.VertexCalls.Last());
        Assert.Equal("Bearer ya29.from-a-secret", fixture.Providers.LastHeaders("vertex-google")["authorization"]);
    }

    [Fact]
    public async Task AVirtualKey_IsHeldToItsModels_AndRefusedOnceItsSpendReachesItsBudget_UntilTheBudgetIsRaised()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        var api = $"/api/v1/tenants/{tenant}";
        var priced = RestApiTests.NewName("budget-model");
        (await admin.PutAsJsonAsync($"/api/v1/model-prices/{priced}", new { inputPerMillion = 1000m, outputPerMillion = 1000m }, Cancellation)).EnsureSuccessStatusCode();
        foreach (var (path, body) in new (string, object)[]
        {
            ("llm-providers", new { name = "openai", kind = "openai", url = fixture.Providers.OpenAiUrl.ToString() }),
            ("routes", new
            {
                name = "models",
                kind = "llm",
                providers = new[] { "openai" },
                models = new object[]
                {
                    new { name = "fast", targets = new[] { new { provider = "openai", model = priced } } },
                    new { name = "careful", targets = new[] { new { provider = "openai", model = priced } } },
                },
            }),
            ("policies", new { name = "keys", kind = "api-key-auth", targetRef = new { kind = "route", name = "models" }, spec = new { } }),
        })
        {
            using var response = await admin.PostAsJsonAsync($"{api}/{path}", body, Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        foreach (var (llm, field) in new (object Llm, string Field)[]
        {
            (new { requestsPerMinute = -1 }, "llm.requestsPerMinute"),
            (new { budget = new { amount = 0m } }, "llm.budget.amount"),
            (new { budget = new { amount = 5m, period = "year" } }, "llm.budget.period"),
            (new { models = new[] { "fast", "fast" } }, "llm.models"),
        })
        {
            var problem = await RestApiTests.AssertProblemAsync(await admin.PostAsJsonAsync($"{api}/api-keys", new { name = "bad", llm }, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(llm)}: {problem}");
        }

        string secret;
        using (var created = await admin.PostAsJsonAsync($"{api}/api-keys", new { name = "team", llm = new { models = new[] { "fast" }, budget = new { amount = 0.01m, period = "day" } } }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            secret = body.GetProperty("key").GetString()!;
            Assert.Equal(("day", 0.01m), (body.GetProperty("llm").GetProperty("budget").GetProperty("period").GetString(), body.GetProperty("llm").GetProperty("budget").GetProperty("amount").GetDecimal()));
        }

        using var client = new HttpClient { BaseAddress = fixture.Proxy.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        var completions = new Uri($"/{tenant}/models/v1/chat/completions", UriKind.Relative);
        async Task<(HttpStatusCode Status, string Body)> ChatAsync(string model)
        {
            using var response = await client.PostAsync(completions, new StringContent(
                JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = "Hello" } } }), Encoding.UTF8, "application/json"), Cancellation);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        }

        async Task<string> WaitForAsync(string model, HttpStatusCode status, string what)
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var (got, body) = await ChatAsync(model);
                if (got == status)
                {
                    return body;
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"{what}: {(int)got} {body}");
                await Task.Delay(250, Cancellation);
            }
        }

        // One answer (29 tokens at 1000 USD a million) spends more than the key's 0.01 USD a day.
        await WaitForAsync("fast", HttpStatusCode.OK, "the key to reach the proxy");
        var (refusedStatus, refusedBody) = await ChatAsync("careful");
        Assert.Equal(HttpStatusCode.Forbidden, refusedStatus);
        Assert.Contains("model_not_allowed", refusedBody, StringComparison.Ordinal);

        var exhausted = await WaitForAsync("fast", HttpStatusCode.TooManyRequests, "the spend to exhaust the budget");
        Assert.Contains("budget_exceeded", exhausted, StringComparison.Ordinal);
        var key = await admin.GetFromJsonAsync<JsonElement>($"{api}/api-keys/team", Cancellation);
        Assert.True(key.GetProperty("budgetSpent").GetDecimal() >= 0.01m, key.ToString());
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1), key.GetProperty("budgetExhaustedUntil").GetDateTimeOffset().UtcDateTime);
        using (var scrape = new HttpClient())
        {
            // The control plane shows the budget's state as a metric: spent at or past it.
            var line = (await scrape.GetStringAsync(new Uri(controlPlane.ManagementUrl, "/metrics"), Cancellation)).Split('\n')
                .Single(text => text.StartsWith("agentgateway_llm_budget_spent_ratio", StringComparison.Ordinal) && text.Contains($"tenant=\"{tenant}\"", StringComparison.Ordinal)
                    && text.Contains("api_key=\"team\"", StringComparison.Ordinal));
            Assert.True(double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 1, line);
        }

        // A larger budget takes effect at once. The proxy's usage reports may still move the key's spend (and so its ETag)
        // between the read and the write: read again on 412, as the answer says.
        for (var attempt = 1; ; attempt++)
        {
            using var current = await admin.GetAsync(new Uri($"{api}/api-keys/team", UriKind.Relative), Cancellation);
            using var raised = await admin.SendAsync(RestApiTests.Put($"{api}/api-keys/team",
                new { llm = new { models = new[] { "fast" }, budget = new { amount = 100m, period = "day" } } }, current.Headers.ETag), Cancellation);
            if (raised.StatusCode == HttpStatusCode.PreconditionFailed && attempt < 5)
            {
                continue;
            }

            Assert.True(raised.IsSuccessStatusCode, await raised.Content.ReadAsStringAsync(Cancellation));
            Assert.Equal(JsonValueKind.Null, (await raised.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("budgetExhaustedUntil").ValueKind);
            break;
        }

        await WaitForAsync("fast", HttpStatusCode.OK, "the raised budget to reach the proxy");
    }

    [Fact]
    public async Task ATenantsTokenBudget_OverARollingWindow_RefusesEveryKeyAndCaller_UntilAPlatformAdminRaisesIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, "developer", "owner");
        var api = $"/api/v1/tenants/{tenant}";
        foreach (var (path, body) in new (string, object)[]
        {
            ("llm-providers", new { name = "openai", kind = "openai", url = fixture.Providers.OpenAiUrl.ToString() }),
            ("routes", new { name = "models", kind = "llm", providers = new[] { "openai" }, models = new object[] { new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } } } }),
        })
        {
            using var response = await admin.PostAsJsonAsync($"{api}/{path}", body, Cancellation);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        // Only platform admins set a tenant's budget, even its owner may not; a budget that limits nothing is a 400.
        using (var owner = await controlPlane.CreateClientAsync("developer", Cancellation))
        {
            await RestApiTests.AssertProblemAsync(await owner.PutAsJsonAsync($"{api}/llm-budget", new { tokens = 10 }, Cancellation), HttpStatusCode.Forbidden);
            Assert.Equal(JsonValueKind.Null, (await owner.GetFromJsonAsync<JsonElement>($"{api}/llm-budget", Cancellation)).GetProperty("budget").ValueKind);
        }

        var invalid = await RestApiTests.AssertProblemAsync(await admin.PutAsJsonAsync($"{api}/llm-budget", new { windowHours = 24 }, Cancellation), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("llmBudget.amount", out _), invalid.ToString());
        using (var set = await admin.PutAsJsonAsync($"{api}/llm-budget", new { tokens = 10, windowHours = 24 }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var budget = (await set.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("budget");
            Assert.Equal((10L, 24), (budget.GetProperty("tokens").GetInt64(), budget.GetProperty("windowHours").GetInt32()));
        }

        using var client = new HttpClient { BaseAddress = fixture.Proxy.BaseAddress };
        var completions = new Uri($"/{tenant}/models/v1/chat/completions", UriKind.Relative);
        async Task<(HttpStatusCode Status, string Body)> WaitForAsync(HttpStatusCode status, string what)
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                using var response = await client.PostAsync(completions, new StringContent(
                    JsonSerializer.Serialize(new { model = "fast", messages = new[] { new { role = "user", content = "Hello" } } }), Encoding.UTF8, "application/json"), Cancellation);
                var body = await response.Content.ReadAsStringAsync(Cancellation);
                if (response.StatusCode == status)
                {
                    return (response.StatusCode, body);
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"{what}: {(int)response.StatusCode} {body}");
                await Task.Delay(250, Cancellation);
            }
        }

        // One answer takes more than the tenant's 10 tokens: once its usage is in, the route refuses everyone for
        // about a day (until that answer leaves the rolling window), with Retry-After.
        await WaitForAsync(HttpStatusCode.OK, "the route to reach the proxy");
        var (_, refused) = await WaitForAsync(HttpStatusCode.TooManyRequests, "the tokens to exhaust the tenant's budget");
        var error = JsonDocument.Parse(refused).RootElement.GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains($"tenant '{tenant}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var state = await admin.GetFromJsonAsync<JsonElement>($"{api}/llm-budget", Cancellation);
        Assert.True(state.GetProperty("tokens").GetInt64() >= 10, state.ToString());
        var until = state.GetProperty("exhaustedUntil").GetDateTimeOffset();
        Assert.InRange(until, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(24));

        // Raised, it takes effect at once; taken away, nothing limits the tenant.
        using (var raised = await admin.PutAsJsonAsync($"{api}/llm-budget", new { tokens = 1_000_000, windowHours = 24 }, Cancellation))
        {
            Assert.Equal(JsonValueKind.Null, (await raised.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("exhaustedUntil").ValueKind);
        }

        await WaitForAsync(HttpStatusCode.OK, "the raised budget to reach the proxy");
        (await admin.DeleteAsync(new Uri($"{api}/llm-budget", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>($"{api}/llm-budget", Cancellation)).GetProperty("budget").ValueKind);
    }
}
