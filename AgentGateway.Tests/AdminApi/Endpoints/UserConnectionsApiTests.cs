using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;

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
        foreach (var host in new[] { "login.example.test", "a.example.test" })
        {
            (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { host, description = "an authorization server never called" }, Cancellation)).Dispose();
        }

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

    [Fact]
    public async Task AnAuthorizationServersOddAndHostileAnswers_AreRefusedCleanly_AndItsOwnWordsStayWithTheOperator()
    {
        await using var server = await ScriptedTokenServer.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await ScriptedTenantAsync(admin, server);

        (int Status, string Body)[] refused =
        [
            (500, "<html>internal details</html>"), (200, "not json"), (200, "[]"), (200, "{\"access_token\": 5}"), (200, "{\"token_type\": \"bearer\"}"),
            (400, "{\"error\": \"invalid_grant\", \"error_description\": \"internal details\"}"),
        ];
        foreach (var (status, body) in refused)
        {
            server.Next = (status, body);
            using var completed = await CompleteAsync(developer, tenant);
            var problem = await completed.Content.ReadAsStringAsync(Cancellation);
            Assert.True(completed.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.BadGateway, $"{(int)completed.StatusCode} for {status} {body}: {problem}");
            Assert.DoesNotContain("internal details", problem, StringComparison.Ordinal);
        }

        // Odd but usable: expires_in far away, then as a string (as some servers send it), with a refresh token.
        server.Next = (200, "{\"access_token\": \"tok-far\", \"expires_in\": 99999999999999}");
        using (var far = await CompleteAsync(developer, tenant))
        {
            Assert.Equal(HttpStatusCode.OK, far.StatusCode);
        }

        server.Next = (200, "{\"access_token\": \"tok-1\", \"expires_in\": \"3599\", \"refresh_token\": \"r-1\", \"scope\": \"repo\"}");
        using (var kept = await CompleteAsync(developer, tenant))
        {
            var connection = await kept.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(("repo", true), (connection.GetProperty("scopes").GetString(), connection.GetProperty("refreshable").GetBoolean()));
            var expiresIn = connection.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
            Assert.InRange(expiresIn.TotalSeconds, 3500, 3600);
        }

        // Disconnecting revokes both tokens at the server, then forgets them.
        server.Next = (200, "{}");
        using (var disconnected = await developer.DeleteAsync(new Uri($"/api/v1/me/connections/{tenant}/acts-as-user", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, disconnected.StatusCode);
        }

        Assert.Equal(["token=r-1&token_type_hint=refresh_token&client_id=gateway", "token=tok-1&token_type_hint=access_token&client_id=gateway"],
            server.Revocations);
        Assert.Empty((await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation))!);
    }

    [Fact]
    public async Task TokensForgottenWithoutTheUserAsking_AreRevokedOnceTheChangeIsSaved_AndNeverWhenItIsRolledBack()
    {
        await using var server = await ScriptedTokenServer.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await ScriptedTenantAsync(admin, server);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/client-secret", new { value = "s3cret" }, Cancellation)).Dispose();

        server.Next = (200, "{\"access_token\": \"tok-1\", \"expires_in\": 3600, \"refresh_token\": \"r-1\"}");
        using (var connected = await CompleteAsync(developer, tenant))
        {
            Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        }

        // A dry run that would delete the policy rolls back: nothing is forgotten, nothing revoked.
        using (var content = new StringContent(new JsonObject { ["tenant"] = tenant, ["policies"] = new JsonArray() }.ToJsonString(), Encoding.UTF8, "application/json"))
        using (var dryRun = await admin.PutAsync(new Uri($"/api/v1/tenants/{tenant}/config?dryRun=true&prune=true", UriKind.Relative), content, Cancellation))
        {
            Assert.True(dryRun.StatusCode == HttpStatusCode.OK, await dryRun.Content.ReadAsStringAsync(Cancellation));
        }

        await Task.Delay(TimeSpan.FromSeconds(5), Cancellation);
        Assert.Empty(server.Revocations);
        Assert.Single((await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation))!);

        // Another client: the user's tokens are the old client's, forgotten and revoked at the server as that client.
        using (var changed = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/policies/acts-as-user", new
        {
            kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = ScriptedSpec(server, "gateway-2", new { secretRef = "client-secret" }),
        }, Cancellation))
        {
            Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync(Cancellation));
        }

        Assert.Empty((await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation))!);
        await RevokedAsync(server, ["token=r-1&token_type_hint=refresh_token&client_id=gateway", "token=tok-1&token_type_hint=access_token&client_id=gateway"]);

        // The tenant deleted: what the user authorized since is revoked too, as the confidential client it was.
        server.Next = (200, "{\"access_token\": \"tok-2\", \"refresh_token\": \"r-2\"}");
        using (var connected = await CompleteAsync(developer, tenant))
        {
            Assert.Equal(HttpStatusCode.OK, connected.StatusCode);
        }

        using (var deleted = await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await RevokedAsync(server,
        [
            "token=r-1&token_type_hint=refresh_token&client_id=gateway", "token=tok-1&token_type_hint=access_token&client_id=gateway",
            "token=r-2&token_type_hint=refresh_token as gateway-2:s3cret", "token=tok-2&token_type_hint=access_token as gateway-2:s3cret",
        ]);
    }

    [Fact]
    public async Task ARevocationTheServerCannotTakeNow_IsAskedAgainLater_WaitingLongerEachTime_UntilItLands_OrItsTriesRunOut()
    {
        // The control plane's AdminApi asks again after 1 s, then 2 s, ..., three tries in all (ControlPlaneFixture).
        await using var server = await ScriptedTokenServer.StartAsync();
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var tenant = await ScriptedTenantAsync(admin, server);
        server.Next = (200, "{\"access_token\": \"tok-1\", \"refresh_token\": \"r-1\"}");
        (await CompleteAsync(developer, tenant)).Dispose();

        // The refresh token meets a server down (503), then busy (429), then taking it; the access token a server that
        // will never take it (400), which is asked once.
        server.RevocationAnswers["r-1"] = new([503, 429]);
        server.RevocationAnswers["tok-1"] = new([400]);
        using (var deleted = await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}/policies/acts-as-user", UriKind.Relative), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var asked = await AskedAsync(server, "r-1", 3);
        Assert.True(asked[1] - asked[0] >= TimeSpan.FromSeconds(0.9), $"asked again after {asked[1] - asked[0]}");
        Assert.True(asked[2] - asked[1] >= TimeSpan.FromSeconds(1.9), $"asked a third time after {asked[2] - asked[1]}");
        Assert.Empty(server.RevocationAnswers["r-1"]);
        Assert.Single(await AskedAsync(server, "tok-1", 1));

        // A server that stays down is asked three times, then the revocation is given up: a fourth try would have
        // come 4 s after the third.
        using (var policy = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "acts-as-user", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = ScriptedSpec(server, "gateway", null),
        }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, policy.StatusCode);
        }

        server.Next = (200, "{\"access_token\": \"tok-2\"}");
        (await CompleteAsync(developer, tenant)).Dispose();
        server.RevocationAnswers["tok-2"] = new(Enumerable.Repeat(503, 10));
        (await admin.DeleteAsync(new Uri($"/api/v1/tenants/{tenant}", UriKind.Relative), Cancellation)).Dispose();
        await AskedAsync(server, "tok-2", 3);
        await Task.Delay(TimeSpan.FromSeconds(7), Cancellation);
        Assert.Equal(3, server.RevocationTimes.Count(entry => entry.Token == "tok-2"));
    }

    [Theory]
    [InlineData("MaxAttempts", "0")]
    [InlineData("FirstRetry", "00:00:00")]
    [InlineData("LongestRetry", "00:00:01")]
    public async Task AnImpossibleRevocationSchedule_KeepsTheAdminApiFromStarting_AndNamesItsSettings(string setting, string value)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => controlPlane.StartAdminApiAsync(
            "unused", ControlPlaneFixture.NewMasterKey(), [], Cancellation, new Dictionary<string, string> { [$"Connections:Revocation:{setting}"] = value }));
        Assert.Contains("Connections:Revocation: MaxAttempts must be at least 1", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A tenant with the utils server and a <c>userOauth</c> policy on it (<c>acts-as-user</c>, a public client named
    /// <c>gateway</c>) whose authorization server is <paramref name="server"/>, allowed as an egress destination.
    /// </summary>
    private async Task<string> ScriptedTenantAsync(HttpClient admin, ScriptedTokenServer server)
    {
        (await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { server.Address.Port }, description = "a scripted token endpoint" }, Cancellation)).Dispose();
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "utils", controlPlane.Samples.UtilsEndpoint);
        using var policy = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/policies", new
        {
            name = "acts-as-user", kind = "backend-auth", targetRef = new { kind = "mcp-server", name = "utils" }, spec = ScriptedSpec(server, "gateway", null),
        }, Cancellation);
        Assert.True(policy.StatusCode == HttpStatusCode.Created, await policy.Content.ReadAsStringAsync(Cancellation));
        return tenant;
    }

    /// <summary>A <c>userOauth</c> spec whose endpoints are <paramref name="server"/>'s.</summary>
    private static object ScriptedSpec(ScriptedTokenServer server, string clientId, object? clientSecret) => new
    {
        userOauth = new
        {
            authorizationUrl = new Uri(server.Address, "/authorize").AbsoluteUri, tokenUrl = new Uri(server.Address, "/token").AbsoluteUri,
            revocationUrl = new Uri(server.Address, "/revoke").AbsoluteUri, clientId, clientSecret, redirectUri = "http://127.0.0.1:9/callback",
        },
    };

    /// <summary>Waits for the revocation worker to have sent <paramref name="expected"/> (in any order), and nothing else.</summary>
    private static async Task RevokedAsync(ScriptedTokenServer server, string[] expected)
    {
        for (var waited = 0; server.Revocations.Count < expected.Length && waited < 200; waited++)
        {
            await Task.Delay(100, Cancellation);
        }

        await Task.Delay(500, Cancellation);
        Assert.Equal(expected.Order(StringComparer.Ordinal), server.Revocations.Order(StringComparer.Ordinal));
    }

    /// <summary>Waits for the revocation worker to have sent <paramref name="token"/> <paramref name="times"/> times; when it did.</summary>
    private static async Task<List<DateTimeOffset>> AskedAsync(ScriptedTokenServer server, string token, int times)
    {
        for (var waited = 0; server.RevocationTimes.Count(entry => entry.Token == token) < times && waited < 300; waited++)
        {
            await Task.Delay(100, Cancellation);
        }

        var asked = server.RevocationTimes.Where(entry => entry.Token == token).Select(entry => entry.At).ToList();
        Assert.Equal(times, asked.Count);
        return asked;
    }

    /// <summary>An authorization started and completed by <paramref name="user"/> with any code: the scripted server answers.</summary>
    internal static async Task<HttpResponseMessage> CompleteAsync(HttpClient user, string tenant)
    {
        using var started = await user.PostAsJsonAsync("/api/v1/me/connections/authorize", new { tenant, policy = "acts-as-user" }, Cancellation);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(Cancellation));
        var url = new Uri((await started.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("authorizationUrl").GetString()!);
        var state = Uri.UnescapeDataString(url.Query.TrimStart('?').Split('&').Single(part => part.StartsWith("state=", StringComparison.Ordinal))[6..]);
        return await user.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = "any-code", state }, Cancellation);
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
