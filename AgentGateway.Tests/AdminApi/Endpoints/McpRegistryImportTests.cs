using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// MCP servers registered from their MCP registry description (server.json): a remote with its URL's variables and
/// headers, else a stdio package run by its ecosystem's runner; what the description requires and the request does
/// not give is a 400 naming it; a dry run registers nothing; a server fetched by name from a trusted registry only.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class McpRegistryImportTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARemote_IsRegisteredWithItsVariablesAndHeaders_AndServesThroughTheProxy()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var description = Remote(controlPlane.Samples.UtilsEndpoint);
        var import = $"/api/v1/tenants/{tenant}/mcp-servers/import";

        // What the description requires and the request does not give: named, and nothing registered.
        var missing = await AssertProblemAsync(await developer.PostAsJsonAsync(import, new { server = description }, Cancellation), HttpStatusCode.BadRequest);
        var errors = missing.GetProperty("errors");
        Assert.True(errors.TryGetProperty("variables.port", out _), missing.ToString());
        Assert.Contains("The key the server checks", errors.GetProperty("headers.X-Api-Key")[0].GetString(), StringComparison.Ordinal);

        var values = new { server = description, variables = new { port = controlPlane.Samples.UtilsEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, headers = new Dictionary<string, string> { ["X-Api-Key"] = "k-123" } };
        var preview = await developer.PostAsJsonAsync($"{import}?dryRun=true", values, Cancellation);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var planned = await preview.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal(("utils-server", "streamable-http", controlPlane.Samples.UtilsEndpoint.ToString()),
            (planned.GetProperty("name").GetString(), planned.GetProperty("transport").GetString(), planned.GetProperty("url").GetString()));
        Assert.Equal(("k-123", "eu"), (planned.GetProperty("headers").GetProperty("X-Api-Key").GetString(), planned.GetProperty("headers").GetProperty("X-Region").GetString()));
        await AssertProblemAsync(await developer.GetAsync(new Uri($"/api/v1/tenants/{tenant}/mcp-servers/utils-server", UriKind.Relative), Cancellation), HttpStatusCode.NotFound);

        using (var created = await developer.PostAsJsonAsync(import, values, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var server = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(("utils-server", "Utilities for tests"), (server.GetProperty("name").GetString(), server.GetProperty("description").GetString()));
        }

        // Imported again under the same name: the conflict any create has.
        await AssertProblemAsync(await developer.PostAsJsonAsync(import, values, Cancellation), HttpStatusCode.Conflict);

        // The imported server is a target like any other: its tools serve through the proxy.
        (await developer.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "utils-server" } }, Cancellation)).EnsureSuccessStatusCode();
        await using var proxy = await controlPlane.StartProxyAsync(Cancellation);
        await using var client = await McpTestClient.ConnectWhenServedAsync(new Uri(proxy.BaseAddress, $"/{tenant}/mcp"), Cancellation);
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "imported" }, cancellationToken: Cancellation);
        Assert.NotEqual(true, result.IsError);
        Assert.Contains("imported", JsonSerializer.Serialize(result.Content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStdioPackage_RunsByItsEcosystemsRunner_AndOnlyAPlatformAdminRegistersIt()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var description = new JsonObject
        {
            ["name"] = "io.github.acme/weather",
            ["version"] = "2.0.0",
            ["packages"] = new JsonArray(
                new JsonObject { ["registryType"] = "nuget", ["identifier"] = "Acme.Weather", ["version"] = "2.0.0" },
                new JsonObject
                {
                    ["registryType"] = "npm",
                    ["identifier"] = "@acme/weather",
                    ["version"] = "2.0.0",
                    ["transport"] = new JsonObject { ["type"] = "stdio" },
                    ["packageArguments"] = new JsonArray(new JsonObject { ["type"] = "named", ["name"] = "--units", ["default"] = "metric" }),
                    ["environmentVariables"] = new JsonArray(new JsonObject { ["name"] = "WEATHER_KEY", ["isRequired"] = true, ["isSecret"] = true }),
                }),
        };
        var import = $"/api/v1/tenants/{tenant}/mcp-servers/import";
        var values = new { server = description, env = new Dictionary<string, string> { ["WEATHER_KEY"] = "w-1" } };

        await AssertProblemAsync(await developer.PostAsJsonAsync(import, values, Cancellation), HttpStatusCode.Forbidden);
        var missing = await AssertProblemAsync(await admin.PostAsJsonAsync(import, new { server = description }, Cancellation), HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("env.WEATHER_KEY", out _));

        using var created = await admin.PostAsJsonAsync(import, values, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var server = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/mcp-servers/weather", Cancellation);
        Assert.Equal(("stdio", "npx"), (server.GetProperty("transport").GetString(), server.GetProperty("command").GetString()));
        Assert.Equal(["-y", "@acme/weather@2.0.0", "--units", "metric"], server.GetProperty("args").EnumerateArray().Select(arg => arg.GetString()));

        // A description with nothing the gateway can run or reach says so.
        var none = await AssertProblemAsync(
            await admin.PostAsJsonAsync(import, new { server = new { name = "io.github.acme/none", packages = new[] { new { registryType = "nuget", identifier = "X" } } } }, Cancellation),
            HttpStatusCode.BadRequest);
        Assert.Contains("no remote", none.GetProperty("errors").GetProperty("server")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerByName_IsFetchedFromATrustedRegistry_AndNoOtherRegistryIsAsked()
    {
        await using var registry = await RegistryServer.StartAsync(new Dictionary<string, JsonObject> { ["io.github.acme/utils"] = Remote(controlPlane.Samples.UtilsEndpoint, "io.github.acme/utils") });
        var database = "registry_" + Guid.NewGuid().ToString("N")[..8];
        var (adminApi, _) = await controlPlane.StartAdminApiAsync(database, ControlPlaneFixture.NewMasterKey(), [], Cancellation, new Dictionary<string, string>
        {
            ["McpRegistry:Urls:0"] = registry.Url.ToString(),
            ["Egress:BlockPrivateNetworks"] = "false",
        });
        await using (adminApi)
        {
            using var admin = new HttpClient { BaseAddress = adminApi.BaseAddress };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await controlPlane.GetTokenAsync("admin", Cancellation));
            (await admin.PostAsJsonAsync("/api/v1/tenants", new { name = "acme", displayName = "Acme" }, Cancellation)).EnsureSuccessStatusCode();
            const string import = "/api/v1/tenants/acme/mcp-servers/import";
            var port = controlPlane.Samples.UtilsEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

            using (var created = await admin.PostAsJsonAsync(import, new { registryName = "io.github.acme/utils", name = "tools", variables = new { port }, headers = new Dictionary<string, string> { ["X-Api-Key"] = "k" } }, Cancellation))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                Assert.Equal(controlPlane.Samples.UtilsEndpoint.ToString(), (await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("url").GetString());
            }

            Assert.Equal(["io.github.acme/utils@latest"], registry.Asked);
            await AssertProblemAsync(await admin.PostAsJsonAsync(import, new { registryName = "io.github.acme/nothing" }, Cancellation), HttpStatusCode.NotFound);
            var untrusted = await AssertProblemAsync(
                await admin.PostAsJsonAsync(import, new { registryName = "io.github.acme/utils", registry = "http://169.254.169.254" }, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(untrusted.GetProperty("errors").TryGetProperty("registry", out _));
            Assert.Equal(2, registry.Asked.Count);
        }
    }

    [Fact]
    public async Task GeneratedHostileDescriptions_AreEachAnsweredCleanly_AndNoneRegistersInAnotherTenant()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, "developer", "developer");
        var other = await CreateTenantAsync(admin, null, null);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var random = new Random(71207);
        var answered = new Dictionary<HttpStatusCode, int>();
        for (var index = 0; index < 150; index++)
        {
            var server = HostileDescription(random, depth: 0)!;
            var query = index % 3 == 0 ? string.Empty : "?dryRun=true";
            using var response = await developer.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers/import{query}", new { server, name = index % 5 == 0 ? $"f{index}" : null }, Cancellation);
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.True(
                response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.Conflict,
                $"{(int)response.StatusCode} for {server.ToJsonString()}: {body}");
            answered[response.StatusCode] = answered.GetValueOrDefault(response.StatusCode) + 1;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Contains(JsonNode.Parse(body)!["transport"]!.GetValue<string>(), new[] { "streamable-http", "sse", "stdio" });
            }
        }

        Assert.True(answered.GetValueOrDefault(HttpStatusCode.BadRequest) > 0 && answered.GetValueOrDefault(HttpStatusCode.OK) > 0, string.Join(", ", answered));
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{other}/mcp-servers", Cancellation))!);
    }

    private static readonly string[] s_keys =
    [
        "name", "description", "remotes", "packages", "type", "url", "headers", "variables", "registryType", "identifier", "version", "transport",
        "environmentVariables", "packageArguments", "value", "default", "isRequired", "isSecret", "port",
    ];

    private static readonly string[] s_strings =
    [
        "streamable-http", "sse", "stdio", "npm", "pypi", "oci", "http://127.0.0.1:{port}/mcp", "http://169.254.169.254/latest", "{", "{a}{b}", "}{",
        "io.github.x/../../etc", "named", "positional", "--flag", "\u0000", "ünïcødé/名前", "", " ", "file:///etc/passwd", new string('x', 3000),
    ];

    /// <summary>A random JSON value shaped like a server description in places and like nothing in others.</summary>
    private static JsonNode? HostileDescription(Random random, int depth)
    {
        if (depth == 0 || (depth < 4 && random.Next(3) == 0))
        {
            var node = new JsonObject();
            for (var count = random.Next(1, 6); count > 0; count--)
            {
                node[s_keys[random.Next(s_keys.Length)]] = HostileDescription(random, depth + 1);
            }

            if (depth == 0 && random.Next(3) > 0)
            {
                // Shaped like the real thing, with hostile values here and there.
                node["remotes"] = new JsonArray(HostileDescription(random, 1), new JsonObject
                {
                    ["type"] = random.Next(3) == 0 ? "sse" : "streamable-http",
                    ["url"] = random.Next(3) == 0 ? s_strings[random.Next(s_strings.Length)] : "http://127.0.0.1:{port}/mcp",
                    ["variables"] = random.Next(2) == 0 ? new JsonObject { ["port"] = new JsonObject { ["default"] = random.Next(2) == 0 ? "9" : "{port}" } } : HostileDescription(random, 2),
                    ["headers"] = new JsonArray(new JsonObject { ["name"] = s_strings[random.Next(s_strings.Length)], ["isRequired"] = random.Next(2) == 0 }, HostileDescription(random, 2)),
                });
            }
            else if (depth == 0 && random.Next(2) == 0)
            {
                node["packages"] = new JsonArray(new JsonObject
                {
                    ["registryType"] = s_strings[random.Next(3, 6)],
                    ["identifier"] = s_strings[random.Next(s_strings.Length)],
                    ["packageArguments"] = new JsonArray(HostileDescription(random, 2), new JsonObject { ["type"] = "named", ["name"] = s_strings[random.Next(s_strings.Length)], ["value"] = "v" }),
                    ["environmentVariables"] = new JsonArray(new JsonObject { ["name"] = s_strings[random.Next(s_strings.Length)], ["default"] = "d" }),
                });
            }

            return node;
        }

        return random.Next(7) switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => random.Next(-5, 70000),
            3 when depth < 4 => new JsonArray(HostileDescription(random, depth + 1), HostileDescription(random, depth + 1)),
            _ => s_strings[random.Next(s_strings.Length)],
        };
    }

    /// <summary>A server.json whose streamable-HTTP remote is <paramref name="endpoint"/> with its port a variable, and a required header.</summary>
    private static JsonObject Remote(Uri endpoint, string name = "io.github.acme/Utils_Server") => new()
    {
        ["$schema"] = "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
        ["name"] = name,
        ["description"] = "Utilities for tests",
        ["version"] = "1.2.3",
        ["remotes"] = new JsonArray(
            new JsonObject { ["type"] = "sse", ["url"] = "http://legacy.example/sse" },
            new JsonObject
            {
                ["type"] = "streamable-http",
                ["url"] = $"http://127.0.0.1:{{port}}{endpoint.AbsolutePath}",
                ["variables"] = new JsonObject { ["port"] = new JsonObject { ["description"] = "The port it listens on", ["isRequired"] = true } },
                ["headers"] = new JsonArray(
                    new JsonObject { ["name"] = "X-Api-Key", ["description"] = "The key the server checks", ["isRequired"] = true, ["isSecret"] = true },
                    new JsonObject { ["name"] = "X-Region", ["default"] = "eu" }),
            }),
    };


    /// <summary>A registry answering the MCP registry API's <c>GET /v0/servers/{name}/versions/{version}</c> for the servers it holds.</summary>
    private sealed class RegistryServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RegistryServer(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public List<string> Asked { get; } = [];

        public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, JsonObject> servers)
        {
            var port = ServiceProcess.GetFreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var registry = new RegistryServer(app, new Uri($"http://127.0.0.1:{port}"));
            app.MapGet("/v0/servers/{name}/versions/{version}", (string name, string version) =>
            {
                var server = Uri.UnescapeDataString(name);
                lock (registry.Asked)
                {
                    registry.Asked.Add($"{server}@{version}");
                }

                return servers.TryGetValue(server, out var found)
                    ? Results.Json(new JsonObject { ["server"] = found.DeepClone(), ["_meta"] = new JsonObject() })
                    : Results.NotFound();
            });
            await app.StartAsync(Cancellation);
            return registry;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
