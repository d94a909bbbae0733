using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.Json;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// A tenant's config as one document: exported as YAML, applied to another tenant after a dry run, diffed field by
/// field, pruned; a document with errors names each and writes nothing, and generated hostile documents are answered
/// cleanly.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class TenantConfigApiTests(ControlPlaneFixture controlPlane, RouteKindsFixture fixture) : IClassFixture<RouteKindsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string UpstreamUrl => fixture.Upstream.Address.ToString().TrimEnd('/');

    [Fact]
    public async Task AnExportedTenant_AppliesToAnotherTenant_AfterADryRun_AndReadsBackTheSame()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var source = await CreateTenantAsync(admin, null, null);
        await FillAsync(admin, source);

        var yaml = await ExportAsync(admin, source);
        Assert.StartsWith("apiVersion: agentgateway.dev/v1", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-source", yaml, StringComparison.Ordinal);
        var document = (JsonObject)YamlJson.Parse(yaml)!;
        Assert.Equal(["models", "tools", "web"], document["routes"]!.AsArray().Select(route => (string?)route!["name"]));

        // The same document applied to its own tenant changes nothing.
        var same = await ApplyAsync(admin, source, yaml, dryRun: false);
        Assert.Equal((false, 0), (same.GetProperty("applied").GetBoolean(), same.GetProperty("changes").GetArrayLength()));

        // Another tenant: the document names the tenant it came from, and its secrets need their values.
        var target = await CreateTenantAsync(admin, null, null);
        var wrongTenant = await ApplyProblemAsync(admin, target, yaml);
        Assert.True(wrongTenant.GetProperty("errors").TryGetProperty("tenant", out _));
        document["tenant"] = target;
        var noValue = await ApplyProblemAsync(admin, target, YamlJson.Write(document));
        Assert.True(noValue.GetProperty("errors").TryGetProperty("secrets[0].value", out _), noValue.ToString());
        document["secrets"]![0]!["value"] = "sk-target";

        var planned = await ApplyAsync(admin, target, YamlJson.Write(document), dryRun: true);
        Assert.False(planned.GetProperty("applied").GetBoolean());
        var creates = planned.GetProperty("changes").EnumerateArray().Select(change => $"{change.GetProperty("action").GetString()} {change.GetProperty("section").GetString()}/{change.GetProperty("name").GetString()}").ToList();
        Assert.Equal(
            ["create secrets/upstream-key", "create mcpServers/utils", "create agents/helper", "create llmProviders/openai", "create routes/models", "create routes/tools", "create routes/web",
             "create roles/reader", "create roleBindings/readers", "create policies/upstream-auth"],
            creates);
        // A dry run writes nothing.
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{target}/routes", Cancellation))!);

        var applied = await ApplyAsync(admin, target, YamlJson.Write(document), dryRun: false);
        Assert.True(applied.GetProperty("applied").GetBoolean());
        Assert.True(applied.GetProperty("revision").GetInt64() > 0);
        var copied = (JsonObject)YamlJson.Parse(await ExportAsync(admin, target))!;
        copied["tenant"] = source;
        document["tenant"] = source;
        ((JsonObject)document["secrets"]![0]!).Remove("value");
        Assert.True(JsonNode.DeepEquals(YamlJson.Parse(yaml), copied), $"{yaml}\n---\n{YamlJson.Write(copied)}");
        // The secret's value is the one given, sent inline to the routes its policy covers.
        var secrets = await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{target}/secrets", Cancellation);
        Assert.Equal(["upstream-auth"], secrets!.Single().GetProperty("usedBy").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public async Task AChangedDocument_SaysWhatChangesFieldByField_AndPruneDeletesWhatAGivenSectionDoesNotName()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await FillAsync(admin, tenant);
        var document = (JsonObject)YamlJson.Parse(await ExportAsync(admin, tenant))!;
        var before = await ExportAsync(admin, tenant);

        document["llmProviders"]![0]!["timeoutMs"] = 45000;
        document["settings"]!["auditArguments"] = true;
        document["routes"]![0]!["models"]![0]!["targets"]![0]!["model"] = "gpt-4.1";
        document["roleBindings"] = new JsonArray();
        // Sections left out are not managed: its policies stay although the document names none.
        document.Remove("policies");

        var planned = await ApplyAsync(admin, tenant, YamlJson.Write(document), dryRun: true, prune: true);
        var changes = planned.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal([$"update settings/{tenant}", "update llmProviders/openai", "update routes/models", "delete roleBindings/readers"],
            changes.Select(change => $"{change.GetProperty("action").GetString()} {change.GetProperty("section").GetString()}/{change.GetProperty("name").GetString()}"));
        Assert.Equal("auditArguments", changes[0].GetProperty("fields")[0].GetProperty("path").GetString());
        var field = changes[2].GetProperty("fields").EnumerateArray().Single();
        Assert.Equal(("models[0].targets[0].model", "gpt-4o-mini", "gpt-4.1"),
            (field.GetProperty("path").GetString(), field.GetProperty("before").GetString(), field.GetProperty("after").GetString()));
        Assert.Equal(before, await ExportAsync(admin, tenant));

        // Without prune nothing is deleted; with it, applied.
        var kept = await ApplyAsync(admin, tenant, YamlJson.Write(document), dryRun: true);
        Assert.DoesNotContain(kept.GetProperty("changes").EnumerateArray(), change => change.GetProperty("action").GetString() == "delete");
        var applied = await ApplyAsync(admin, tenant, YamlJson.Write(document), dryRun: false, prune: true);
        Assert.Equal(4, applied.GetProperty("changes").GetArrayLength());
        Assert.True((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}", Cancellation)).GetProperty("auditArguments").GetBoolean());
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/role-bindings", Cancellation))!);
        Assert.Single((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/policies", Cancellation))!);
        var provider = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/llm-providers/openai", Cancellation);
        Assert.Equal(45000, provider.GetProperty("timeoutMs").GetInt32());
    }

    [Fact]
    public async Task ADocumentWithErrors_NamesEachItemAtFault_AndWritesNothing()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        await FillAsync(admin, tenant);
        var before = await ExportAsync(admin, tenant);
        var document = (JsonObject)YamlJson.Parse(before)!;
        document["llmProviders"]!.AsArray().Add(new JsonObject { ["name"] = "broken", ["kind"] = "openai", ["url"] = "ftp://models.example.test" });
        document["routes"]![0]!["pth"] = "/typo";
        document["routes"]!.AsArray().Add(new JsonObject { ["name"] = "orphan", ["targets"] = new JsonArray("nobody") });
        document["policies"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "elsewhere", ["kind"] = "backend-auth", ["targetRef"] = new JsonObject { ["kind"] = "route", ["name"] = "missing" },
            ["spec"] = new JsonObject { ["passthrough"] = new JsonObject() },
        });
        document["roles"]!.AsArray().Add(new JsonObject { ["name"] = "writer", ["rules"] = new JsonArray("mcp.method ==") });
        // A route of the document that is fine is not written either.
        document["routes"]!.AsArray().Add(new JsonObject { ["name"] = "fine", ["targets"] = new JsonArray("utils") });

        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var problem = await ApplyProblemAsync(admin, tenant, YamlJson.Write(document));
        var errors = problem.GetProperty("errors").EnumerateObject().Select(error => error.Name).ToList();
        Assert.Contains("llmProviders[1].url", errors);
        Assert.Contains("routes[0]", errors);
        Assert.Contains(errors, error => error.StartsWith("routes[3]", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.StartsWith("policies[1]", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.StartsWith("roles[1]", StringComparison.Ordinal));
        Assert.Contains("pth", problem.GetProperty("errors").GetProperty("routes[0]")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await ExportAsync(admin, tenant));

        // Not YAML, not a mapping, an unknown section: each a 400 of its own.
        Assert.True((await ApplyProblemAsync(admin, tenant, "routes: [unclosed")).GetProperty("errors").TryGetProperty("document", out _));
        Assert.True((await ApplyProblemAsync(admin, tenant, "- a list")).GetProperty("errors").TryGetProperty("document", out _));
        Assert.True((await ApplyProblemAsync(admin, tenant, "gateways: []")).GetProperty("errors").TryGetProperty("gateways", out _));
        Assert.True((await ApplyProblemAsync(admin, tenant, "settings: {auditArguments: maybe}")).GetProperty("errors").TryGetProperty("settings", out _));
        // A name is one field as it is written: Name beside name is a field the item does not have.
        Assert.True((await ApplyProblemAsync(admin, tenant, "routes: [{name: tools, Name: tools, targets: [utils]}]")).GetProperty("errors").TryGetProperty("routes[0]", out _));

        // A tenant admin who is no platform admin: what only platform admins change is refused item by item.
        var own = await CreateTenantAsync(admin, "developer", "admin");
        var escalation = await ApplyProblemAsync(developer, own,
            "settings: {allowProxyIdentity: true}\nmcpServers: [{name: local, transport: stdio, command: node, args: [server.js]}]\n");
        Assert.Contains("platform admins", escalation.GetProperty("errors").GetProperty("settings")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("platform admins", escalation.GetProperty("errors").GetProperty("mcpServers[0]")[0].GetString(), StringComparison.Ordinal);
        Assert.False((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{own}", Cancellation)).GetProperty("allowProxyIdentity").GetBoolean());
        Assert.True((await ApplyProblemAsync(admin, tenant, "roles: [{name: a}, {name: a}]")).GetProperty("errors").TryGetProperty("roles[1].name", out _));
        var crowded = "roles:\n" + string.Concat(Enumerable.Range(0, 2001).Select(index => $"- {{name: r{index}}}\n"));
        Assert.Contains("at most 2000 items", (await ApplyProblemAsync(admin, tenant, crowded)).GetProperty("errors").GetProperty("document")[0].GetString(), StringComparison.Ordinal);

        // Developers read the tenant's config; applying it is for tenant admins.
        Assert.Equal(before, await ExportAsync(developer, tenant));
        using var content = new StringContent(before, Encoding.UTF8, "application/yaml");
        await AssertProblemAsync(await developer.PutAsync(new Uri($"/api/v1/tenants/{tenant}/config", UriKind.Relative), content, Cancellation), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AStdioServersEnvironment_IsNeverExported_YetAChangeToItAloneIsApplied()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers",
            new { name = "local", transport = "stdio", command = "node", args = new[] { "server.js" }, env = new Dictionary<string, string> { ["API_KEY"] = "s3cret" } }, Cancellation))
            .EnsureSuccessStatusCode();
        var exported = await ExportAsync(admin, tenant);
        Assert.DoesNotContain("s3cret", exported, StringComparison.Ordinal);
        Assert.Equal(0, (await ApplyAsync(admin, tenant, exported, dryRun: false)).GetProperty("changes").GetArrayLength());

        var document = (JsonObject)YamlJson.Parse(exported)!;
        document["mcpServers"]![0]!["env"] = new JsonObject { ["API_KEY"] = "rotated" };
        var applied = await ApplyAsync(admin, tenant, YamlJson.Write(document), dryRun: false);
        var change = applied.GetProperty("changes").EnumerateArray().Single();
        Assert.Equal(("update", "mcpServers", "env"), (change.GetProperty("action").GetString(), change.GetProperty("section").GetString(), change.GetProperty("fields")[0].GetProperty("path").GetString()));
        Assert.True(applied.GetProperty("applied").GetBoolean());
        var server = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/mcp-servers/local", Cancellation);
        Assert.Equal(["API_KEY"], server.GetProperty("envNames").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public async Task HostileDocuments_AreAnsweredCleanly_AndNeverTouchAnotherTenant()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var victim = await CreateTenantAsync(admin, null, null);
        await FillAsync(admin, victim);
        var victimBefore = await ExportAsync(admin, victim);
        var attacker = await CreateTenantAsync(admin, null, null);
        var seed = (JsonObject)YamlJson.Parse(victimBefore)!;
        seed["tenant"] = attacker;
        seed["secrets"]![0]!["value"] = "sk-attacker";

        var random = new Random(61207);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var index = 0; index < 60; index++)
        {
            var text = Hostile(random, (JsonObject)seed.DeepClone(), victim);
            using var content = new StringContent(text, Encoding.UTF8, "application/yaml");
            using var response = await admin.PutAsync(new Uri($"/api/v1/tenants/{attacker}/config?prune=true", UriKind.Relative), content, Cancellation);
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for\n{text}\n{body}");
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
        }

        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 0 && statuses.GetValueOrDefault(HttpStatusCode.OK) > 0, string.Join(", ", statuses));
        Assert.Equal(victimBefore, await ExportAsync(admin, victim));
        // The alias bomb and the deep nesting are refused before they are built.
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(level => $"{(char)('a' + level)}: &{(char)('a' + level)} [*{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}, *{(char)('a' + level - 1)}]\n"));
        Assert.Contains("aliases", (await ApplyProblemAsync(admin, attacker, bomb)).GetProperty("errors").GetProperty("document")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("levels", (await ApplyProblemAsync(admin, attacker, new string('[', 5000))).GetProperty("errors").GetProperty("document")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSchema_IsPublished_AndTheRepositoryCopyIsCurrent()
    {
        // Anyone signed in reads it: a developer of no tenant at all.
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        using var answer = await developer.GetAsync(new Uri("/api/v1/config-schema", UriKind.Relative), Cancellation);
        var served = await answer.Content.ReadAsStringAsync(Cancellation);
        Assert.True(answer.IsSuccessStatusCode, served);
        var schema = JsonNode.Parse(served)!;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        var routes = schema["properties"]!["routes"]!;
        // A misspelt field is an error, as the API answers it.
        Assert.False((bool)routes["items"]!["additionalProperties"]!);
        Assert.NotNull(routes["items"]!["properties"]!["models"]);
        var published = Path.Combine(ServiceProcess.RepositoryRoot, "docs", "tenant-config.schema.json");
        if (Environment.GetEnvironmentVariable("AGW_WRITE_SCHEMA") == "1")
        {
            await File.WriteAllTextAsync(published, served, Cancellation);
        }

        Assert.Equal(served, await File.ReadAllTextAsync(published, Cancellation));
    }

    /// <summary>A document made hostile: fields of the wrong type, huge or odd strings, another tenant's names and paths, items dropped or doubled.</summary>
    private static string Hostile(Random random, JsonObject document, string victim)
    {
        JsonNode?[] values =
        [
            null, 0, -1, long.MaxValue, true, "", new string('x', 5000), "../../" + victim, $"/{victim}/models", "%2e%2e", "\u0000", "😀", "${jndi:ldap://x}",
            new JsonArray(), new JsonObject(), new JsonArray(new JsonObject { ["name"] = victim }), "'; DROP TABLE routes; --", "http://169.254.169.254/latest",
        ];
        var sections = new[] { "secrets", "mcpServers", "agents", "llmProviders", "routes", "roles", "roleBindings", "policies" };
        for (var change = random.Next(1, 4); change > 0; change--)
        {
            var section = sections[random.Next(sections.Length)];
            if (document[section] is not JsonArray { Count: > 0 } items)
            {
                continue;
            }

            var item = (JsonObject)items[random.Next(items.Count)]!;
            switch (random.Next(4))
            {
                case 0:
                    var field = item.Select(entry => entry.Key).ElementAt(random.Next(item.Count));
                    item[field] = values[random.Next(values.Length)]?.DeepClone();
                    break;
                case 1:
                    items.Add(item.DeepClone());
                    break;
                case 2:
                    items.Remove(item);
                    break;
                default:
                    item["name"] = values[random.Next(values.Length)]?.DeepClone();
                    break;
            }
        }

        return random.Next(3) == 0 ? document.ToJsonString() : YamlJson.Write(document);
    }

    /// <summary>One of everything a tenant's config holds.</summary>
    private async Task FillAsync(HttpClient admin, string tenant)
    {
        async Task OkAsync(Task<HttpResponseMessage> sending)
        {
            using var response = await sending;
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}");
        }

        var root = $"/api/v1/tenants/{tenant}";
        fixture.Upstream.Card = LoopbackUpstream.AgentCard("Helper", "1.0.0", "help");
        await OkAsync(admin.PutAsJsonAsync($"{root}/secrets/upstream-key", new { value = "sk-source", description = "The upstream's key" }, Cancellation));
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        await OkAsync(admin.PostAsJsonAsync($"{root}/agents", new { name = "helper", url = UpstreamUrl, description = "An agent" }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/llm-providers", new { name = "openai", kind = "openai", url = UpstreamUrl + "/v1", nativeResponses = true }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/routes", new { name = "tools", targets = new[] { "utils" }, prefixMode = "always" }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/routes", new
        {
            name = "models", kind = "llm", providers = new[] { "openai" },
            models = new[] { new { name = "fast", targets = new[] { new { provider = "openai", model = "gpt-4o-mini" } } } },
        }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/routes", new { name = "web", kind = "http", destinations = new[] { new { name = "main", url = UpstreamUrl } } }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/roles", new { name = "reader", rules = new[] { "mcp.method == \"tools/list\"" } }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/role-bindings", new { name = "readers", role = "reader", subjects = new[] { new { kind = "group", value = "staff" } }, routes = new[] { "tools" } }, Cancellation));
        await OkAsync(admin.PostAsJsonAsync($"{root}/policies", new
        {
            name = "upstream-auth", kind = "backend-auth", targetRef = new { kind = "route", name = "web" },
            spec = new { header = new { name = "Authorization", prefix = "Bearer ", value = new { secretRef = "upstream-key" } } },
        }, Cancellation));
    }

    [Fact]
    public async Task AppliesRacingOnOneTenant_WithoutIfMatch_AllLand_OnTheTenantAsItIsThen()
    {
        // Each apply resolves the tenant before it takes the config lock; the ones behind the first find the tenant
        // changed by it when they write its settings, and start over, body and all, rather than fail.
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        for (var round = 0; round < 4; round++)
        {
            var wanted = Enumerable.Range(0, 4).Select(writer => (writer + round) % 2 == 0).ToList();
            var applied = await Task.WhenAll(wanted.Select(audit => ApplyAsync(admin, tenant, new JsonObject
            {
                ["apiVersion"] = "agentgateway.dev/v1", ["kind"] = "TenantConfig", ["tenant"] = tenant,
                ["settings"] = new JsonObject { ["auditArguments"] = audit },
            }.ToJsonString(), dryRun: false)));
            Assert.Contains(applied, answer => answer.GetProperty("applied").GetBoolean());
        }

        var settings = YamlJson.Parse(await ExportAsync(admin, tenant))!["settings"]!;
        Assert.NotNull(settings["auditArguments"]);
    }

    private static async Task<string> ExportAsync(HttpClient client, string tenant)
    {
        using var response = await client.GetAsync(new Uri($"/api/v1/tenants/{tenant}/config?format=yaml", UriKind.Relative), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Cancellation);
    }

    private static async Task<JsonElement> ApplyAsync(HttpClient admin, string tenant, string document, bool dryRun, bool prune = false)
    {
        using var content = new StringContent(document, Encoding.UTF8, "application/yaml");
        using var response = await admin.PutAsync(new Uri($"/api/v1/tenants/{tenant}/config?dryRun={dryRun}&prune={prune}".ToLowerInvariant(), UriKind.Relative), content, Cancellation);
        var body = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> ApplyProblemAsync(HttpClient admin, string tenant, string document)
    {
        using var content = new StringContent(document, Encoding.UTF8, "application/yaml");
        return await AssertProblemAsync(await admin.PutAsync(new Uri($"/api/v1/tenants/{tenant}/config", UriKind.Relative), content, Cancellation), HttpStatusCode.BadRequest);
    }
}
