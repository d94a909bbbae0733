using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.AdminApi.Fixtures;

namespace AgentGateway.Tests.AdminApi.Endpoints;

/// <summary>
/// The token vault's doors under hostile input: generated bodies for starting and completing an authorization, and
/// generated userOauth specs, each answered with a 4xx and a problem, nothing kept and no other tenant touched.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class UserConnectionsApiTests(ControlPlaneFixture controlPlane)
{
    private static readonly JsonNode?[] s_values =
    [
        null, 0, -1, long.MaxValue, true, "", " ", new string('x', 5000), "../../other", "%2e%2e", "\u0000", "😀", "${jndi:ldap://x}",
        new JsonArray(), new JsonObject(), "'; DROP TABLE user_connections; --", "http://169.254.169.254/latest", "a/b", "javascript:alert(1)",
    ];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GeneratedBodies_AtEveryDoorOfTheVault_AreRefusedInTheirProtocol_AndKeepNothing()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        using (var policy = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "acts-as-user", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" },
            spec = new { userOauth = new { authorizationUrl = "https://login.example.test/authorize", tokenUrl = "https://login.example.test/token", clientId = "gateway" } },
        }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, policy.StatusCode);
        }

        var random = new Random(20261207);
        for (var index = 0; index < 80; index++)
        {
            var (path, body) = random.Next(3) switch
            {
                0 => ("/api/v1/me/connections/authorize", Body(random, new JsonObject { ["tenant"] = tenant, ["policy"] = "acts-as-user" })),
                1 => ("/api/v1/me/connections/complete", Body(random, new JsonObject { ["code"] = "abc", ["state"] = "AQID" })),
                _ => ($"/api/v1/tenants/{tenant}/policies", Body(random, new JsonObject
                {
                    ["name"] = "generated",
                    ["kind"] = "backend-auth",
                    ["targetRef"] = new JsonObject { ["kind"] = "mcp-server", ["name"] = "utils" },
                    ["spec"] = new JsonObject
                    {
                        ["userOauth"] = Body(random, new JsonObject
                        {
                            ["authorizationUrl"] = "https://a.example.test/authorize", ["tokenUrl"] = "https://a.example.test/token", ["clientId"] = "gw",
                            ["scopes"] = new JsonArray("repo"), ["redirectUri"] = "https://portal.example.test/connections/callback",
                        }),
                    },
                })),
            };
            var caller = path.Contains("/policies", StringComparison.Ordinal) ? admin : developer;
            using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await caller.PostAsync(new Uri(path, UriKind.Relative), content, Cancellation);
            var answer = await response.Content.ReadAsStringAsync(Cancellation);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} at {path} for\n{body.ToJsonString()}\n{answer}");
            if (path.EndsWith("/complete", StringComparison.Ordinal))
            {
                Assert.True(response.StatusCode is HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for\n{body.ToJsonString()}\n{answer}");
            }

            if (!response.IsSuccessStatusCode)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/policies/generated", UriKind.Relative), Cancellation)).Dispose();
        }

        // Not even JSON.
        using (var broken = new StringContent("{\"tenant\": ", Encoding.UTF8, "application/json"))
        using (var refused = await developer.PostAsync(new Uri("/api/v1/me/connections/authorize", UriKind.Relative), broken, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Empty((await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation))!);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{tenant}/connections", Cancellation))!);
    }

    /// <summary><paramref name="body"/> made hostile: one to three fields replaced, removed or added with odd values.</summary>
    private static JsonObject Body(Random random, JsonObject body)
    {
        for (var change = random.Next(1, 4); change > 0; change--)
        {
            var value = s_values[random.Next(s_values.Length)]?.DeepClone();
            switch (random.Next(3))
            {
                case 0 when body.Count > 0:
                    body[body.Select(entry => entry.Key).ElementAt(random.Next(body.Count))] = value;
                    break;
                case 1 when body.Count > 0:
                    body.Remove(body.Select(entry => entry.Key).ElementAt(random.Next(body.Count)));
                    break;
                default:
                    body["extra" + random.Next(3)] = value;
                    break;
            }
        }

        return body;
    }
}
