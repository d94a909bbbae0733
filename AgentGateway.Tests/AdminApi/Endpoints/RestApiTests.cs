using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Tests.AdminApi.Fixtures;

namespace AgentGateway.Tests.AdminApi.Endpoints;

[Collection(ControlPlaneCollection.Name)]
public sealed class RestApiTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_WithoutToken_AreUnauthorized_ButHealthAndOpenApiAreOpen()
    {
        using var http = new HttpClient { BaseAddress = controlPlane.AdminApiUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/v1/tenants", UriKind.Relative), Cancellation)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/api/v1/me", UriKind.Relative), Cancellation)).StatusCode);
        http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative), Cancellation)).StatusCode);
        var openApi = await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Cancellation);
        Assert.Contains("/api/v1/tenants/{tenant}/routes/{route}/tools", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTenant_OnlyPlatformAdmins_ValidatesName_AndRejectsDuplicates()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var name = NewName("t");

        await AssertProblemAsync(await developer.PostAsJsonAsync("/api/v1/tenants", new { name, displayName = "X" }, Cancellation), HttpStatusCode.Forbidden);
        var invalid = await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Bad_Name", displayName = "" }, Cancellation), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("displayName", out _));

        using var created = await admin.PostAsJsonAsync("/api/v1/tenants", new { name, displayName = "Tenant" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(created.Headers.ETag);
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/tenants", new { name, displayName = "Again" }, Cancellation), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ForeignTenant_LooksAbsent_AndViewersCannotWrite()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var mine = await CreateTenantAsync(admin, "developer", "developer");
        var foreign = await CreateTenantAsync(admin, member: null, role: null);
        var watched = await CreateTenantAsync(admin, "developer", "viewer");
        await CreateServerAsync(admin, foreign, "secret-server", controlPlane.Samples.UtilsEndpoint);

        // A tenant the caller is not a member of is indistinguishable from one that does not exist.
        foreach (var path in new[] { $"/api/v1/tenants/{foreign}", $"/api/v1/tenants/{foreign}/mcp-servers", $"/api/v1/tenants/{foreign}/mcp-servers/secret-server", $"/api/v1/tenants/{foreign}/routes", $"/api/v1/tenants/{foreign}/members" })
        {
            await AssertProblemAsync(await developer.GetAsync(new Uri(path, UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        }

        await AssertProblemAsync(await developer.PostAsJsonAsync($"/api/v1/tenants/{foreign}/mcp-servers", Server("x", controlPlane.Samples.UtilsEndpoint), Cancellation), HttpStatusCode.NotFound);
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"/api/v1/tenants/{foreign}/mcp-servers/secret-server", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);

        var me = await developer.GetFromJsonAsync<JsonElement>("/api/v1/me", Cancellation);
        var tenants = me.GetProperty("tenants").EnumerateArray().Select(tenant => tenant.GetProperty("name").GetString()).ToList();
        Assert.Contains(mine, tenants);
        Assert.DoesNotContain(foreign, tenants);

        // A viewer reads but does not write; a developer writes.
        Assert.Equal(HttpStatusCode.OK, (await developer.GetAsync(new Uri($"/api/v1/tenants/{watched}/mcp-servers", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.PostAsJsonAsync($"/api/v1/tenants/{watched}/mcp-servers", Server("x", controlPlane.Samples.UtilsEndpoint), Cancellation), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, (await developer.PostAsJsonAsync($"/api/v1/tenants/{mine}/mcp-servers", Server("x", controlPlane.Samples.UtilsEndpoint), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.PutAsJsonAsync($"/api/v1/tenants/{mine}/members/someone", new { role = "viewer" }, Cancellation), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task McpServer_ValidationErrorsNameTheFields_DuplicatesConflict_AndStaleIfMatchFails()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";

        var invalid = await AssertProblemAsync(
            await admin.PostAsJsonAsync(servers, new { name = "-bad", transport = "carrier-pigeon", url = "ftp://example", headers = new Dictionary<string, string> { ["Bad Header"] = "x" } }, Cancellation),
            HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        foreach (var field in new[] { "name", "transport", "url", "headers.Bad Header" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(servers, Cancellation) ?? []);

        using var created = await admin.PostAsJsonAsync(servers, Server("utils", controlPlane.Samples.UtilsEndpoint), Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/tenants/{tenant}/mcp-servers/utils", created.Headers.Location?.OriginalString);
        await AssertProblemAsync(await admin.PostAsJsonAsync(servers, Server("utils", controlPlane.Samples.NotesEndpoint), Cancellation), HttpStatusCode.Conflict);

        var etag = created.Headers.ETag!;
        using (var update = Put($"{servers}/utils", new { transport = "streamable-http", url = controlPlane.Samples.NotesEndpoint, description = "changed" }, etag))
        using (var updated = await admin.SendAsync(update, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
            Assert.NotEqual(etag, updated.Headers.ETag);
        }

        // The first ETag is stale now: the update is refused and nothing changes.
        using (var stale = Put($"{servers}/utils", new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = "lost update" }, etag))
        {
            await AssertProblemAsync(await admin.SendAsync(stale, Cancellation), HttpStatusCode.PreconditionFailed);
        }

        var current = await admin.GetFromJsonAsync<JsonElement>($"{servers}/utils", Cancellation);
        Assert.Equal("changed", current.GetProperty("description").GetString());
        await AssertProblemAsync(await admin.GetAsync(new Uri($"{servers}/nope", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WritersRacingOnOneRow_WithoutIfMatch_AllLand_WithOneETag_OnlyOne()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        var path = $"/api/v1/tenants/{tenant}/mcp-servers/utils";

        // Without If-Match, each writer asks for its change on the row as it is: every one lands, and the row ends
        // as one of them left it. Rounds of four make a write between another's read and its save all but certain.
        for (var round = 0; round < 5; round++)
        {
            var descriptions = Enumerable.Range(0, 4).Select(writer => $"round {round}, writer {writer}").ToList();
            var answers = await Task.WhenAll(descriptions.Select(async description =>
            {
                using var request = Put(path, new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description }, etag: null);
                using var response = await admin.SendAsync(request, Cancellation);
                return response.StatusCode;
            }));
            Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
            var current = await admin.GetFromJsonAsync<JsonElement>(path, Cancellation);
            Assert.Contains(current.GetProperty("description").GetString(), descriptions);
        }

        // With the ETag they all read, exactly one lands; the others are told the row changed since.
        using var read = await admin.GetAsync(new Uri(path, UriKind.Relative), Cancellation);
        var etag = read.Headers.ETag!;
        var conditional = await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
        {
            using var request = Put(path, new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = $"conditional {writer}" }, etag);
            using var response = await admin.SendAsync(request, Cancellation);
            return response.StatusCode;
        }));
        Assert.Single(conditional, status => status == HttpStatusCode.OK);
        Assert.Equal(3, conditional.Count(status => status == HttpStatusCode.PreconditionFailed));
    }

    [Fact]
    public async Task AWriteThatNeverLands_IsTriedFiveTimes_ThenAnswered409_OrAt_Once412_WithIfMatch()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        var path = $"/api/v1/tenants/{tenant}/mcp-servers/utils";
        const string NeverLands = "a change the database always skips";

        // A trigger skips every update that would set this description: each save finds no row as it read it, as
        // when another writer always gets there first. The sequence counts the tries, whatever rolls back.
        var names = $"skip_{Guid.NewGuid():N}";
        await ExecuteAsync(
            $"CREATE SEQUENCE {names}; " +
            $"CREATE FUNCTION {names}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
            $"IF NEW.\"Description\" = '{NeverLands}' THEN PERFORM nextval('{names}'); RETURN NULL; END IF; RETURN NEW; END $$; " +
            $"CREATE TRIGGER {names} BEFORE UPDATE ON mcp_servers FOR EACH ROW EXECUTE FUNCTION {names}();");
        try
        {
            using (var request = Put(path, new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = NeverLands }, etag: null))
            {
                var problem = await AssertProblemAsync(await admin.SendAsync(request, Cancellation), HttpStatusCode.Conflict);
                Assert.Contains("kept changing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            Assert.Equal(5, await TriesAsync());

            // Asked for the version it read, the request is not tried again.
            using var read = await admin.GetAsync(new Uri(path, UriKind.Relative), Cancellation);
            using (var request = Put(path, new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = NeverLands }, read.Headers.ETag))
            {
                await AssertProblemAsync(await admin.SendAsync(request, Cancellation), HttpStatusCode.PreconditionFailed);
            }

            Assert.Equal(6, await TriesAsync());
            var server = await admin.GetFromJsonAsync<JsonElement>(path, Cancellation);
            Assert.NotEqual(NeverLands, server.GetProperty("description").GetString());
        }
        finally
        {
            await ExecuteAsync($"DROP TRIGGER {names} ON mcp_servers; DROP FUNCTION {names}(); DROP SEQUENCE {names};");
        }

        async Task<long> TriesAsync() => (long)(await ExecuteAsync($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {names}"))!;

        async Task<object?> ExecuteAsync(string sql)
        {
            await using var connection = new Npgsql.NpgsqlConnection(controlPlane.ConnectionString);
            await connection.OpenAsync(Cancellation);
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync(Cancellation);
        }
    }

    [Fact]
    public async Task Route_ValidatesTargetsAndPath_ProtectsItsServers_AndListsToolsLive()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        await CreateServerAsync(admin, tenant, "down", new Uri("http://127.0.0.1:9/mcp"));
        var routes = $"/api/v1/tenants/{tenant}/routes";

        var invalid = await AssertProblemAsync(
            await admin.PostAsJsonAsync(routes, new { name = "mcp", path = "/someone-else/mcp", targets = new[] { "utils", "ghost" }, prefixMode = "sometimes", failureMode = "maybe", targetTimeoutMs = 0 }, Cancellation),
            HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("failureMode", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("targetTimeoutMs", out _));
        Assert.Contains("ghost", invalid.GetProperty("errors").GetProperty("targets")[0].GetString(), StringComparison.Ordinal);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("path", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("prefixMode", out _));

        using var created = await admin.PostAsJsonAsync(routes, new { name = "mcp", targets = new[] { "utils", "down" }, failureMode = "closed", targetTimeoutMs = 2500 }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var route = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("closed", route.GetProperty("failureMode").GetString());
        Assert.Equal(2500, route.GetProperty("targetTimeoutMs").GetInt32());
        Assert.Equal($"/{tenant}/mcp", route.GetProperty("path").GetString());
        Assert.Equal($"http://gateway.test:8080/{tenant}/mcp", route.GetProperty("endpoint").GetString());
        Assert.Equal("conditional", route.GetProperty("prefixMode").GetString());
        await AssertProblemAsync(await admin.PostAsJsonAsync(routes, new { name = "other", path = $"/{tenant}/mcp", targets = new[] { "utils" } }, Cancellation), HttpStatusCode.Conflict);

        // A server a route uses cannot be deleted, and the failed request leaves it in place.
        var conflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/mcp-servers/utils", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'mcp'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri($"/api/v1/tenants/{tenant}/mcp-servers/utils", UriKind.Relative), Cancellation)).StatusCode);

        // Tools are listed live, prefixed (two targets); the unreachable target is reported, not fatal.
        var tools = await admin.GetFromJsonAsync<JsonElement>($"{routes}/mcp/tools", Cancellation);
        var names = tools.GetProperty("tools").EnumerateArray().Select(tool => tool.GetProperty("name").GetString()).ToList();
        Assert.Contains("utils_echo", names);
        Assert.All(names, name => Assert.StartsWith("utils_", name, StringComparison.Ordinal));
        Assert.Equal("down", tools.GetProperty("errors")[0].GetProperty("target").GetString());

        // With one target left the prefix goes away (conditional mode).
        using (var update = Put($"{routes}/mcp", new { targets = new[] { "utils" } }, etag: null))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(update, Cancellation)).StatusCode);
        }

        tools = await admin.GetFromJsonAsync<JsonElement>($"{routes}/mcp/tools", Cancellation);
        Assert.Contains("echo", tools.GetProperty("tools").EnumerateArray().Select(tool => tool.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/mcp-servers/down", UriKind.Relative), Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await admin.GetAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StdioServers_OnlyPlatformAdminsDefineThem_TheirEnvironmentIsNeverReturned_AndTenantsUseSseAndOpenApi()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "owner");
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";
        var stdio = new { name = "local", transport = "stdio", command = "node", args = new[] { "server.js" }, env = new Dictionary<string, string> { ["API_KEY"] = "s3cret" } };

        // A tenant owner may not run processes on the proxies.
        await AssertProblemAsync(await developer.PostAsJsonAsync(servers, stdio, Cancellation), HttpStatusCode.Forbidden);
        var invalid = await AssertProblemAsync(
            await admin.PostAsJsonAsync(servers, new { name = "local", transport = "stdio", workingDirectory = "relative/dir", env = new Dictionary<string, string> { ["1BAD"] = "x" } }, Cancellation),
            HttpStatusCode.BadRequest);
        foreach (var field in new[] { "command", "workingDirectory", "env.1BAD" })
        {
            Assert.True(invalid.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}'");
        }

        using var created = await admin.PostAsJsonAsync(servers, stdio, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync(Cancellation);
        Assert.DoesNotContain("s3cret", body, StringComparison.Ordinal);
        var server = JsonDocument.Parse(body).RootElement;
        Assert.Equal("stdio", server.GetProperty("transport").GetString());
        Assert.Equal(["API_KEY"], server.GetProperty("envNames").EnumerateArray().Select(name => name.GetString()));

        // Nor may the owner change it; the legacy SSE transport is open to tenants.
        using (var update = Put($"{servers}/local", new { transport = "streamable-http", url = "http://example.test/mcp" }, null))
        {
            await AssertProblemAsync(await developer.SendAsync(update, Cancellation), HttpStatusCode.Forbidden);
        }

        using var sse = await developer.PostAsJsonAsync(servers, new { name = "legacy", transport = "sse", url = "http://example.test/sse" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, sse.StatusCode);
        using var openApi = await developer.PostAsJsonAsync(servers, new { name = "rest", transport = "openapi", url = "http://example.test/openapi/v1.json" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, openApi.StatusCode);
    }

    [Fact]
    public async Task AuditLog_RecordsWhoChangedWhat_BeforeAndAfter_WithoutSecrets_ForTenantAdminsOnly()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "admin");
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";
        (await developer.PostAsJsonAsync(servers, new { name = "utils", transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, headers = new Dictionary<string, string> { ["X-Api-Key"] = "top-secret" } }, Cancellation)).EnsureSuccessStatusCode();
        using (var update = Put($"{servers}/utils", new { transport = "streamable-http", url = controlPlane.Samples.UtilsEndpoint, description = "changed" }, null))
        {
            (await developer.SendAsync(update, Cancellation)).EnsureSuccessStatusCode();
        }

        var routes = $"/api/v1/tenants/{tenant}/routes";
        (await developer.PostAsJsonAsync(routes, new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await developer.DeleteAsync(new Uri($"{routes}/mcp", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();

        var response = await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/audit", UriKind.Relative), Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("top-secret", text, StringComparison.Ordinal);
        var log = JsonDocument.Parse(text).RootElement.EnumerateArray().ToList();

        // Newest first: the route's deletion and creation (with its targets), the server's update and creation, and
        // first the invitation bound to the developer's subject by their first request.
        var mine = log.Where(entry => entry.GetProperty("actor").GetString() == "developer").ToList();
        Assert.Equal(
            ["deleted route mcp", "created route mcp", "updated mcp-server utils", "created mcp-server utils", "updated member developer"],
            mine.Select(entry => $"{entry.GetProperty("action").GetString()} {entry.GetProperty("entityType").GetString()} {entry.GetProperty("entityName").GetString()}"));
        Assert.Equal(["utils"], mine[1].GetProperty("after").GetProperty("targets").EnumerateArray().Select(target => target.GetString()));
        Assert.Equal(JsonValueKind.Null, mine[2].GetProperty("before").GetProperty("description").ValueKind);
        Assert.Equal("changed", mine[2].GetProperty("after").GetProperty("description").GetString());
        Assert.All(mine, entry => Assert.False(string.IsNullOrEmpty(entry.GetProperty("requestId").GetString())));
        Assert.Equal(JsonValueKind.Null, mine[4].GetProperty("before").GetProperty("subject").ValueKind);
        Assert.Equal(JsonValueKind.String, mine[4].GetProperty("after").GetProperty("subject").ValueKind);
        Assert.Contains(log, entry => entry.GetProperty("actor").GetString() == "admin" && entry.GetProperty("entityType").GetString() == "tenant");

        // Tenant admins read their tenant's log; others may not, and other tenants' logs do not exist for them.
        var viewed = await CreateTenantAsync(admin, "developer", "viewer");
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{viewed}/audit", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        var foreign = await CreateTenantAsync(admin, null, null);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{foreign}/audit", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
        await AssertProblemAsync(await developer.GetAsync(new Uri("/api/v1/audit", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        var platform = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=500", Cancellation);
        Assert.Contains(platform.EnumerateArray(), entry => entry.GetProperty("entityName").GetString() == foreign);
    }

    [Fact]
    public async Task Members_AreManagedWithinOnesOwnRank_ATenantKeepsAnOwner_AndMembersMayLeave()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "admin");
        var members = $"/api/v1/tenants/{tenant}/members";
        (await admin.PutAsJsonAsync($"{members}/alice", new { role = "owner" }, Cancellation)).EnsureSuccessStatusCode();

        // A tenant admin manages members up to their own rank, not above it.
        await AssertProblemAsync(await developer.PutAsJsonAsync($"{members}/alice", new { role = "viewer" }, Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"{members}/alice", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.PutAsJsonAsync($"{members}/carol", new { role = "owner" }, Cancellation), HttpStatusCode.Forbidden);
        (await developer.PutAsJsonAsync($"{members}/bob", new { role = "developer" }, Cancellation)).EnsureSuccessStatusCode();
        (await developer.PutAsJsonAsync($"{members}/bob", new { role = "viewer" }, Cancellation)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await developer.DeleteAsync(new Uri($"{members}/bob", UriKind.Relative), Cancellation)).StatusCode);

        // The last owner can be neither demoted nor removed.
        await AssertProblemAsync(await admin.PutAsJsonAsync($"{members}/alice", new { role = "viewer" }, Cancellation), HttpStatusCode.Conflict);
        await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{members}/alice", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);

        // A member may leave; the tenant is then gone for them.
        Assert.Equal(HttpStatusCode.NoContent, (await developer.DeleteAsync(new Uri($"{members}/developer", UriKind.Relative), Cancellation)).StatusCode);
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);
    }

    internal static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    internal static object Server(string name, Uri url) => new { name, transport = "streamable-http", url };

    internal static async Task<string> CreateTenantAsync(HttpClient admin, string? member, string? role)
    {
        var name = NewName("t");
        (await admin.PostAsJsonAsync("/api/v1/tenants", new { name, displayName = name }, Cancellation)).EnsureSuccessStatusCode();
        if (member is not null)
        {
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{name}/members/{member}", new { role }, Cancellation)).EnsureSuccessStatusCode();
        }

        return name;
    }

    internal static async Task CreateServerAsync(HttpClient admin, string tenant, string name, Uri url)
    {
        using var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers", Server(name, url), Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    internal static HttpRequestMessage Put(string path, object body, EntityTagHeaderValue? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        if (etag is not null)
        {
            request.Headers.IfMatch.Add(etag);
        }

        return request;
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }
}
