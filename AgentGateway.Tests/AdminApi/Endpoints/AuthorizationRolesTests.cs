using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Policies;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

[Collection(ControlPlaneCollection.Name)]
public sealed class AuthorizationRolesTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Roles_RefuseInvalidCelWithItsPosition_TenantAdminsWrite_AndRolesInUseStay()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var roles = $"/api/v1/tenants/{tenant}/roles";

        var invalid = await AssertProblemAsync(await admin.PostAsJsonAsync(roles, new
        {
            name = "reader",
            rules = new[] { "mcp.method == \"tools/list\"", "mcp.tool.name ==", "secrets.all == true", "mcp.method" },
        }, Cancellation), HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        Assert.StartsWith("is not valid CEL: at line 1, column 17: ", errors.GetProperty("rules[1]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("unknown name", errors.GetProperty("rules[2]")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("true or false", errors.GetProperty("rules[3]")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("rules[0]", out _));
        await AssertProblemAsync(await admin.PostAsJsonAsync(roles, new { name = "empty", rules = Array.Empty<string>() }, Cancellation), HttpStatusCode.BadRequest);
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(roles, Cancellation) ?? []);

        var reader = new { name = "reader", description = "reads notes", rules = new[] { "mcp.method == \"tools/list\"", "has(mcp.tool) && mcp.tool.name == \"list_notes\"" } };
        await AssertProblemAsync(await developer.PostAsJsonAsync(roles, reader, Cancellation), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(roles, reader, Cancellation)).StatusCode);
        await AssertProblemAsync(await admin.PostAsJsonAsync(roles, reader, Cancellation), HttpStatusCode.Conflict);
        Assert.Equal(2, (await developer.GetFromJsonAsync<JsonElement>($"{roles}/reader", Cancellation)).GetProperty("rules").GetArrayLength());

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/role-bindings",
            new { name = "everyone", role = "reader", subjects = new[] { new { kind = "group", value = "staff" } } }, Cancellation)).EnsureSuccessStatusCode();
        var conflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"{roles}/reader", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'everyone'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["everyone"], (await admin.GetFromJsonAsync<JsonElement>($"{roles}/reader", Cancellation)).GetProperty("usedBy").EnumerateArray().Select(name => name.GetString()));

        // A role change is checked against its bindings; a good one is saved.
        using (var update = Put($"{roles}/reader", new { rules = new[] { "mcp.method.startsWith(" } }, null))
        {
            var refused = await AssertProblemAsync(await admin.SendAsync(update, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(refused.GetProperty("errors").TryGetProperty("rules[0]", out _));
        }

        using (var update = Put($"{roles}/reader", new { rules = new[] { "true" } }, null))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(update, Cancellation)).StatusCode);
        }

        // The tenant goes with its roles and bindings.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation)).StatusCode);
    }

    [Fact]
    public async Task RoleBindings_ValidateSubjectsRolesAndRoutes_AndCoveredRoutesStay()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var bindings = $"/api/v1/tenants/{tenant}/role-bindings";
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/roles", new { name = "caller", rules = new[] { "true" } }, Cancellation)).EnsureSuccessStatusCode();

        var invalid = await AssertProblemAsync(await admin.PostAsJsonAsync(bindings, new
        {
            name = "bad",
            role = "ghost",
            routes = new[] { "nowhere" },
            subjects = new object[]
            {
                new { kind = "robot", value = "r2d2" },
                new { kind = "claim", value = "x" },
                new { kind = "expression", value = "jwt.sub ==" },
                new { kind = "user", value = "" },
                new { kind = "group", value = "g", claim = "groups" },
            },
        }, Cancellation), HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        foreach (var field in new[] { "role", "routes", "subjects[0].kind", "subjects[1].claim", "subjects[2].value", "subjects[3].value", "subjects[4].claim" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        }

        Assert.Contains("at line 1, column", errors.GetProperty("subjects[2].value")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(bindings, Cancellation) ?? []);

        (await admin.PostAsJsonAsync(bindings, new { name = "on-mcp", role = "caller", routes = new[] { "mcp" }, subjects = new[] { new { kind = "user", value = "alice" } } }, Cancellation)).EnsureSuccessStatusCode();
        var conflict = await AssertProblemAsync(await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/routes/mcp", UriKind.Relative), Cancellation), HttpStatusCode.Conflict);
        Assert.Contains("'on-mcp'", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var binding = await admin.GetFromJsonAsync<JsonElement>($"{bindings}/on-mcp", Cancellation);
        Assert.Equal("caller", binding.GetProperty("role").GetString());
        Assert.Equal("alice", binding.GetProperty("subjects")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Bindings_BecomeGuardedRulesOfTheRoutesTheyCover_AfterThePolicysOwnRules()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        await CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        foreach (var route in new[] { "mcp", "open", "guarded" })
        {
            (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = route, targets = new[] { "utils" } }, Cancellation)).EnsureSuccessStatusCode();
        }

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/roles", new { name = "echoer", rules = new[] { "has(mcp.tool) && mcp.tool.name == \"echo\"", "mcp.method == \"tools/list\"" } }, Cancellation)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "pings",
            kind = "mcp-authorization",
            targetRef = new { kind = "route", name = "guarded" },
            spec = new { rules = new[] { new { expression = "mcp.method == \"ping\"" } } },
        }, Cancellation)).EnsureSuccessStatusCode();
        using (var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/role-bindings", new
        {
            name = "echoers",
            role = "echoer",
            routes = new[] { "mcp", "guarded" },
            subjects = new object[]
            {
                new { kind = "user", value = "al\"ice\\" },
                new { kind = "group", value = "eng" },
                new { kind = "role", value = "mcp-user" },
                new { kind = "claim", claim = "https://example.com/department", value = "research" },
                new { kind = "claim", claim = "org.teams", value = "blue" },
                new { kind = "api-key", value = "ci" },
                new { kind = "expression", value = "has(jwt.email_verified) && jwt.email_verified == true && jwt.email.endsWith(\"@example.com\")" },
            },
        }, Cancellation))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Cancellation));
        }

        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.Route);
        var mcp = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Policies?.McpAuthorization?.Rules.Count == 2, Cancellation);
        Assert.All(mcp.Policies.McpAuthorization.Rules, rule => Assert.Equal("binding echoers / role echoer", rule.Name));
        var guarded = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/guarded", route => route.Policies?.McpAuthorization?.Rules.Count == 3, Cancellation);
        Assert.Equal(["policy pings", "binding echoers / role echoer", "binding echoers / role echoer"], guarded.Policies.McpAuthorization.Rules.Select(rule => rule.Name));
        var open = await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/open", _ => true, Cancellation);
        Assert.Null(open.Policies?.McpAuthorization);

        // What proxies evaluate: any subject, and the role's rule; a missing claim is simply no match.
        var problems = new List<ConfigError>();
        PolicyValidator.Validate(mcp.Policies, "policies", SecretSources.Inline, problems);
        Assert.Empty(problems);
        var echo = mcp.Policies.McpAuthorization.Rules[0].Expression;
        Assert.True(Allows(echo, jwt: new() { ["sub"] = "al\"ice\\" }));
        Assert.True(Allows(echo, jwt: new() { ["preferred_username"] = "al\"ice\\" }));
        Assert.True(Allows(echo, jwt: new() { ["groups"] = new object?[] { "ops", "eng" } }));
        Assert.True(Allows(echo, jwt: new() { ["realm_access"] = new Dictionary<string, object?> { ["roles"] = new object?[] { "mcp-user" } } }));
        Assert.True(Allows(echo, jwt: new() { ["https://example.com/department"] = "research" }));
        Assert.True(Allows(echo, jwt: new() { ["org"] = new Dictionary<string, object?> { ["teams"] = new object?[] { "red", "blue" } } }));
        Assert.True(Allows(echo, apiKey: new() { ["name"] = "ci" }));
        Assert.True(Allows(echo, jwt: new() { ["email_verified"] = true, ["email"] = "bob@example.com" }));
        Assert.False(Allows(echo, jwt: new() { ["sub"] = "alice" }));
        Assert.False(Allows(echo, jwt: new() { ["groups"] = "ops" }));
        Assert.False(Allows(echo, jwt: new() { ["org"] = "blue" }));
        Assert.False(Allows(echo, jwt: new() { ["https://example.com/department"] = new object?[] { "sales" } }));
        Assert.False(Allows(echo, jwt: new() { ["groups"] = new object?[] { "eng" } }, tool: "delete_everything"));
        Assert.False(Allows(echo, jwt: []));

        // The effective policies say where each part came from.
        var effective = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/guarded/effective-policies", Cancellation);
        var authorization = effective.GetProperty("policies").EnumerateArray().Single(part => part.GetProperty("kind").GetString() == "mcp-authorization");
        Assert.Equal("pings", authorization.GetProperty("policy").GetString());
        Assert.Equal(["echoers"], authorization.GetProperty("roleBindings").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(3, authorization.GetProperty("spec").GetProperty("rules").GetArrayLength());

        // Deleting the binding takes its rules away; the route with only a binding then has no authorization at all.
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/role-bindings/echoers", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/mcp", route => route.Policies?.McpAuthorization is null, Cancellation);
        await xds.WaitForAsync<Route>(ResourceTypes.Route, $"{tenant}/guarded", route => route.Policies?.McpAuthorization?.Rules.Count == 1, Cancellation);
    }

    private static bool Allows(string expression, Dictionary<string, object?>? jwt = null, Dictionary<string, object?>? apiKey = null, string tool = "echo")
    {
        var variables = CelExpressions.SampleVariables();
        variables["jwt"] = jwt ?? [];
        variables["apiKey"] = apiKey ?? [];
        variables["mcp"] = new Dictionary<string, object?> { ["method"] = "tools/call", ["tool"] = new Dictionary<string, object?> { ["name"] = tool } };
        return CelExpressions.IsTrue(CelExpressions.Compile(expression), variables);
    }
}
