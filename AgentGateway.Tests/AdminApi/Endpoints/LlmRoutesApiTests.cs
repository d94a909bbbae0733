using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>The LLM provider catalog and LLM routes through the REST API, and what proxies receive of them.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class LlmRoutesApiTests(ControlPlaneFixture controlPlane, RouteKindsFixture fixture) : IClassFixture<RouteKindsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string UpstreamUrl => fixture.Upstream.Address.ToString().TrimEnd('/');

    [Fact]
    public async Task BadProvidersAndLlmRoutes_Are400_NamingTheField()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var providers = $"/api/v1/tenants/{tenant}/llm-providers";
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { name = "Bad Name", kind = "openai", url = UpstreamUrl }, "name"),
            (new { name = "p", kind = "watsonx", url = UpstreamUrl }, "kind"),
            (new { name = "p", kind = "openai", url = "ftp://models.example.test/" }, "url"),
            (new { name = "p", kind = "openai", url = UpstreamUrl + "/v1?key=1" }, "url"),
            (new { name = "p", kind = "openai", url = "http://169.254.169.254/v1" }, "url"),
            (new { name = "p", kind = "anthropic", url = UpstreamUrl, timeoutMs = 0 }, "timeoutMs"),
            (new { name = "p", kind = "openai", url = UpstreamUrl, apiVersion = "2024-10-21" }, "apiVersion"),
            (new { name = "p", kind = "azure-openai", url = UpstreamUrl, apiVersion = "newest" }, "apiVersion"),
            (new { name = "p", kind = "anthropic", url = UpstreamUrl, nativeResponses = true }, "nativeResponses"),
        })
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync(providers, body, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: expected an error on '{field}', got {problem}");
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(providers, Cancellation) ?? []);
        (await admin.PostAsJsonAsync(providers, new { name = "openai", kind = "openai", url = UpstreamUrl + "/v1" }, Cancellation)).EnsureSuccessStatusCode();

        var target = new[] { new { provider = "openai", model = "gpt-4o-mini" } };
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { name = "r", kind = "llm" }, "providers"),
            (new { name = "r", kind = "llm", providers = new[] { "nobody" } }, "providers"),
            (new { name = "r", kind = "llm", providers = new[] { "openai", "openai" } }, "providers"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, models = new[] { new { name = "fast", targets = new[] { new { provider = "anthropic", model = "x" } } } } }, "models[0].targets[0].provider"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, models = new[] { new { name = "fast", targets = Array.Empty<object>() } } }, "models[0].targets"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, models = new[] { new { name = "fast", targets = target }, new { name = "fast", targets = target } } }, "models[1].name"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, models = new[] { new { name = "", targets = target } } }, "models[0].name"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, models = new[] { new { name = "fast", targets = new[] { new { provider = "openai", weight = 20000 } } } } }, "models[0].targets[0].weight"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, passiveHealthCheck = new { consecutiveFailures = 5000 } }, "passiveHealthCheck.consecutiveFailures"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, destinations = new[] { new { name = "main", url = UpstreamUrl } } }, "destinations"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, activeHealthCheck = new { path = "models", intervalMs = 50 } }, "activeHealthCheck.path"),
            (new { name = "r", kind = "llm", providers = new[] { "openai" }, targets = new[] { "server" } }, "targets"),
            (new { name = "r", kind = "http", destinations = new[] { new { name = "main", url = UpstreamUrl } }, providers = new[] { "openai" } }, "providers"),
            (new { name = "r", kind = "a2a", agent = "x", passiveHealthCheck = new { consecutiveFailures = 2 } }, "passiveHealthCheck"),
        })
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", body, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: expected an error on '{field}', got {problem}");
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/routes", Cancellation) ?? []);

        // Guards: bad patterns and detectors, and a webhook the egress policy refuses, are named by field.
        foreach (var (spec, field) in new (object Spec, string Field)[]
        {
            (new { prompt = new[] { new { name = "bad", patterns = new[] { "(" } } } }, "spec.prompt[0].patterns[0]"),
            (new { answer = new[] { new { name = "none" } } }, "spec.answer[0]"),
            (new { webhooks = new[] { new { name = "imds", url = "http://169.254.169.254/moderate" } } }, "spec.webhooks[0].url"),
            (new { webhooks = new[] { new { name = "hook", url = UpstreamUrl, auth = new { header = new { name = "X-Key", value = new { inline = "plain" } } } } } }, "spec.webhooks[0].auth.header.value"),
        })
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
            {
                name = "guards", kind = "llm-guards", targetRef = new { kind = "tenant" }, spec,
            }, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(spec)}: expected an error on '{field}', got {problem}");
        }
    }

    [Fact]
    public async Task AProvider_IsRegistered_Changed_AndNotDeletedWhileARouteOrAPolicyUsesIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var providers = $"/api/v1/tenants/{tenant}/llm-providers";
        using (var created = await admin.PostAsJsonAsync(providers, new { name = "claude", kind = "anthropic", url = UpstreamUrl, timeoutMs = 60000, description = "Anthropic" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal("anthropic", body.GetProperty("kind").GetString());
            Assert.Equal(60000, body.GetProperty("timeoutMs").GetInt32());
        }

        await AssertProblemAsync(await admin.PostAsJsonAsync(providers, new { name = "claude", kind = "anthropic", url = UpstreamUrl }, Cancellation), HttpStatusCode.Conflict);

        // The route that serves from it is listed with the provider, and holds it.
        using (var route = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "models", kind = "llm", providers = new[] { "claude" } }, Cancellation))
        {
            Assert.True(route.StatusCode == HttpStatusCode.Created, await route.Content.ReadAsStringAsync(Cancellation));
            var body = await route.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal($"/{tenant}/models", body.GetProperty("path").GetString());
            Assert.Equal(["claude"], body.GetProperty("providers").EnumerateArray().Select(name => name.GetString()));
            Assert.Empty(body.GetProperty("models").EnumerateArray());
        }

        var listed = (await admin.GetFromJsonAsync<JsonElement[]>(providers, Cancellation))!.Single();
        Assert.Equal(["models"], listed.GetProperty("routes").EnumerateArray().Select(name => name.GetString()));
        var inUse = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{providers}/claude", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'models'", inUse.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A change honours If-Match.
        using var current = await admin.GetAsync(new Uri($"{providers}/claude", UriKind.Relative), Cancellation);
        var etag = current.Headers.ETag;
        using (var stale = await admin.SendAsync(Put($"{providers}/claude", new { kind = "anthropic", url = UpstreamUrl + "/v2" }, new EntityTagHeaderValue("\"1\"")), Cancellation))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }

        using (var changed = await admin.SendAsync(Put($"{providers}/claude", new { kind = "anthropic", url = UpstreamUrl + "/v2" }, etag), Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            var body = await changed.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(UpstreamUrl + "/v2", body.GetProperty("url").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("timeoutMs").ValueKind);
        }

        // Out of the route (another provider in its place), the provider is still held by its policy.
        (await admin.PostAsJsonAsync(providers, new { name = "local", kind = "openai", url = UpstreamUrl + "/v1" }, Cancellation)).EnsureSuccessStatusCode();
        using (var native = await admin.PutAsJsonAsync($"{providers}/local", new { kind = "openai", url = UpstreamUrl + "/v1", nativeResponses = true }, Cancellation))
        {
            Assert.True((await native.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("nativeResponses").GetBoolean());
        }

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/routes/models", new { providers = new[] { "local" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/claude-key", new { value = "sk-ant" }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "claude-key", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "claude" },
            spec = new { header = new { name = "x-api-key", value = new { secretRef = "claude-key" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "nobody-key", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "nobody" }, spec = new { passthrough = new { } },
        }, Cancellation), HttpStatusCode.BadRequest);
        var held = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{providers}/claude", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'claude-key'", held.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/policies/claude-key", UriKind.Relative), Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"{providers}/claude", UriKind.Relative), Cancellation)).StatusCode);

        // Developers manage the catalog; viewers only read it.
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/members/developer", new { role = "viewer" }, Cancellation)).EnsureSuccessStatusCode();
        using var viewer = await controlPlane.CreateClientAsync("developer", Cancellation);
        Assert.Single(await viewer.GetFromJsonAsync<JsonElement[]>(providers, Cancellation) ?? []);
        await AssertProblemAsync(await viewer.PostAsJsonAsync(providers, new { name = "mine", kind = "openai", url = UpstreamUrl }, Cancellation), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnLlmRoute_ReachesProxies_WithItsCatalogProviders_CredentialsByPrecedence_AndModels()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var providers = $"/api/v1/tenants/{tenant}/llm-providers";
        (await admin.PostAsJsonAsync(providers, new { name = "openai", kind = "openai", url = UpstreamUrl + "/v1", timeoutMs = 30000 }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(providers, new { name = "claude", kind = "anthropic", url = UpstreamUrl }, Cancellation)).EnsureSuccessStatusCode();
        using (var azure = await admin.PostAsJsonAsync(providers, new { name = "azure", kind = "azure-openai", url = UpstreamUrl, apiVersion = "2025-04-01-preview", nativeResponses = true }, Cancellation))
        {
            Assert.True((await azure.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("nativeResponses").GetBoolean());
        }

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/openai-key", new { value = "sk-openai" }, Cancellation)).EnsureSuccessStatusCode();
        using (var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new
        {
            name = "models",
            kind = "llm",
            providers = new[] { "openai", "claude", "azure" },
            models = new object[]
            {
                new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" }, new { provider = "azure", model = "gpt4o-prod" } } },
                new { name = "smart", targets = new object[] { new { provider = "openai", model = "gpt-4.1", weight = 3 }, new { provider = "claude", model = "claude-sonnet-4-5", priority = 1 } } },
            },
            passiveHealthCheck = new { consecutiveFailures = 2, ejectionMs = 10000 },
            activeHealthCheck = new { intervalMs = 10000 },
        }, Cancellation))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancellation));
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal("llm", body.GetProperty("kind").GetString());
            var smart = body.GetProperty("models")[1];
            Assert.Equal("smart", smart.GetProperty("name").GetString());
            Assert.Equal(3, smart.GetProperty("targets")[0].GetProperty("weight").GetInt32());
            Assert.Equal(1, smart.GetProperty("targets")[1].GetProperty("priority").GetInt32());
            Assert.Equal(2, body.GetProperty("passiveHealthCheck").GetProperty("consecutiveFailures").GetInt32());
        }

        foreach (var policy in new object[]
        {
            new { name = "openai-key", kind = "backend-auth", targetRef = new { kind = "llm-provider", name = "openai" }, spec = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { secretRef = "openai-key" } } } },
            new { name = "route-auth", kind = "backend-auth", targetRef = new { kind = "route", name = "models" }, spec = new { passthrough = new { } } },
            new { name = "tokens", kind = "local-rate-limit", targetRef = new { kind = "route", name = "models" }, spec = new { buckets = new[] { new { name = "hour", maxTokens = 100000, fillIntervalMs = 3600000 } } } },
            new
            {
                name = "guards", kind = "llm-guards", targetRef = new { kind = "route", name = "models" },
                spec = new
                {
                    prompt = new object[] { new { name = "cards", pii = new[] { "credit-card" }, action = "reject" } },
                    answer = new object[] { new { name = "hosts", patterns = new[] { "[a-z]+\\.corp" } } },
                    webhooks = new object[] { new { name = "moderation", url = UpstreamUrl + "/moderate", auth = new { header = new { name = "X-Key", value = new { secretRef = "openai-key" } } } } },
                },
            },
        })
        {
            using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", policy, Cancellation);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var route = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/models",
            candidate => candidate.Policies?.LocalRateLimit is not null && candidate.Policies.LlmGuards is not null && candidate.Llm?.Providers.Count == 3 && candidate.Llm.Providers[1].Auth is not null, Cancellation);
        Assert.Equal(Route.BackendOneofCase.Llm, route.BackendCase);
        Assert.Equal($"/{tenant}/models", route.Match.Path);
        var openai = route.Llm.Providers[0];
        Assert.Equal(("openai", LlmProviderKind.Openai, UpstreamUrl + "/v1", 30000u), (openai.Name, openai.Kind, openai.Url, openai.TimeoutMs));
        // The provider's own credentials, with the secret inline; the other provider takes the route's.
        Assert.Equal("sk-openai", openai.Auth.Header.Value.Inline);
        var claude = route.Llm.Providers[1];
        Assert.Equal((LlmProviderKind.Anthropic, UpstreamUrl, 0u), (claude.Kind, claude.Url, claude.TimeoutMs));
        Assert.Equal(BackendAuth.MethodOneofCase.Passthrough, claude.Auth.MethodCase);
        Assert.Equal((LlmProviderKind.AzureOpenai, "2025-04-01-preview", true), (route.Llm.Providers[2].Kind, route.Llm.Providers[2].ApiVersion, route.Llm.Providers[2].NativeResponses));
        Assert.False(openai.NativeResponses);
        Assert.Equal(["fast", "smart"], route.Llm.Models.Select(model => model.Name));
        Assert.Equal(("openai", "gpt-4.1", 3u, 0u), (route.Llm.Models[1].Targets[0].Provider, route.Llm.Models[1].Targets[0].Model, route.Llm.Models[1].Targets[0].Weight, route.Llm.Models[1].Targets[0].Priority));
        Assert.Equal(1u, route.Llm.Models[1].Targets[1].Priority);
        Assert.Equal(2u, route.Llm.PassiveHealthCheck.ConsecutiveFailures);
        // Probes without a path: the providers' model lists.
        Assert.Equal((10000u, string.Empty), (route.Llm.ActiveHealthCheck.IntervalMs, route.Llm.ActiveHealthCheck.Path));
        // The guards, their webhook's key inline like any backend credential.
        Assert.Equal((PiiDetector.CreditCard, LlmGuardAction.Reject), (route.Policies.LlmGuards.Prompt[0].Pii.Single(), route.Policies.LlmGuards.Prompt[0].Action));
        Assert.Equal("[a-z]+\\.corp", route.Policies.LlmGuards.Answer[0].Patterns.Single());
        Assert.Equal("sk-openai", route.Policies.LlmGuards.Webhooks[0].Auth.Header.Value.Inline);
        // What the proxy receives passes its own checks.
        var problems = new List<ConfigError>();
        AgentGateway.Contracts.Routing.RouteValidator.Validate(route.Llm, string.Empty, problems);
        Assert.Empty(problems);

        // The effective policies name each provider as a backend.
        var effective = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/models/effective-policies", Cancellation);
        var targets = effective.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(["openai", "claude", "azure"], targets.Select(target => target.GetProperty("target").GetString()));
        Assert.Equal("llm-provider", targets[0].GetProperty("policies")[0].GetProperty("attachedTo").GetProperty("kind").GetString());
        Assert.Equal("route", targets[1].GetProperty("policies")[0].GetProperty("attachedTo").GetProperty("kind").GetString());

        // A change of the catalog reaches the route; an update that leaves the models out keeps them.
        using (var current = await admin.GetAsync(new Uri($"{providers}/claude", UriKind.Relative), Cancellation))
        {
            (await admin.SendAsync(Put($"{providers}/claude", new { kind = "anthropic", url = UpstreamUrl + "/anthropic", timeoutMs = 5000 }, current.Headers.ETag), Cancellation)).EnsureSuccessStatusCode();
        }

        using (var updated = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/routes/models", new { passiveHealthCheck = new { enabled = false } }, Cancellation))
        {
            Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync(Cancellation));
            var body = await updated.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(2, body.GetProperty("models").GetArrayLength());
            Assert.Equal(3, body.GetProperty("providers").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("passiveHealthCheck").ValueKind);
        }

        var changed = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/models",
            candidate => candidate.Llm?.Providers.Count == 3 && candidate.Llm.Providers[1].TimeoutMs == 5000 && candidate.Llm.PassiveHealthCheck is null, Cancellation);
        Assert.Equal(UpstreamUrl + "/anthropic", changed.Llm.Providers[1].Url);
        Assert.Equal(2, changed.Llm.Models.Count);
    }
}
