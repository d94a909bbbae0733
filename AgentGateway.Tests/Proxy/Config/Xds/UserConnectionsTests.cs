using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Tests.AdminApi.Endpoints;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace AgentGateway.Tests.Proxy.Config.Xds;

/// <summary>
/// The token vault end to end: an MCP server that acts as each user (backend-auth userOauth, with the platform's issuer
/// as its authorization server and a client it registered there), users authorizing it for themselves through AdminApi
/// and the issuer's sign-in, and a proxy sending each user's own token on their calls only.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class UserConnectionsTests(ControlPlaneFixture controlPlane, ControlPlanePolicyFixture fixture) : IClassFixture<ControlPlanePolicyFixture>
{
    private const string Redirect = "http://127.0.0.1:9/connections/callback";
    private const string Resource = "http://probe.test/";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AServerThatActsAsEachUser_GetsEachUsersOwnToken_AfterTheyAuthorizeIt_AndNoneOnceTheyDisconnect()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await ServerActingAsEachUserAsync(admin);
        var developerToken = await controlPlane.GetTokenAsync("developer", Cancellation);
        var developerSub = new JsonWebToken(developerToken).Subject;
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);

        // Before authorizing: MCP's URL elicitation error, naming the Portal's page for this tenant and policy.
        var refused = await EventuallyRefusedAsync(tenant, developerToken);
        Assert.Equal(-32042, (int)refused["code"]!);
        var elicitation = refused["data"]!["elicitations"]![0]!;
        Assert.Equal("url", (string)elicitation["mode"]!);
        Assert.Equal($"{ControlPlaneFixture.PortalUrl}/connections?tenant={tenant}&policy=acts-as-user", (string)elicitation["url"]!);

        // The official TypeScript client reads it as what it is: a URL for the user to open.
        var sdk = await SdkCallAsync(tenant, developerToken);
        Assert.True(sdk.GetProperty("urlElicitation").GetBoolean(), sdk.ToString());
        Assert.Equal((string)elicitation["url"]!, sdk.GetProperty("elicitations")[0].GetProperty("url").GetString());

        // A session the client keeps: refused now, served once the user has authorized (the client tries again on it).
        using var kept = new HttpClient();
        kept.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", developerToken);
        var keptSession = await McpTestClient.OpenSessionAsync(kept, fixture.Route(tenant, "mcp"), Cancellation);
        Assert.Equal(-32042, (int)(await CallOnAsync(kept, tenant, keptSession))["error"]!["code"]!);

        // The developer authorizes it at the issuer; the code and state come back to them.
        var back = await AuthorizeAtIssuerAsync(developer, tenant, "developer");
        Assert.StartsWith(Redirect + "?", back.AbsoluteUri, StringComparison.Ordinal);
        var answer = Query(back);

        // Another user cannot complete it (the developer's account would be theirs).
        using var other = await controlPlane.CreateClientAsync("admin", Cancellation);
        using (var stolen = await other.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = answer["code"], state = answer["state"] }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
        }

        using (var tampered = await developer.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = answer["code"], state = answer["state"][..^4] + "AAAA" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        }

        using (var completed = await developer.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = answer["code"], state = answer["state"] }, Cancellation))
        {
            Assert.True(completed.StatusCode == HttpStatusCode.OK, await completed.Content.ReadAsStringAsync(Cancellation));
            var connection = await completed.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(("acts-as-user", tenant, true), (connection.GetProperty("policy").GetString(), connection.GetProperty("tenant").GetString(), connection.GetProperty("refreshable").GetBoolean()));
            Assert.Equal($"jwt:{controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/')}|{developerSub}", connection.GetProperty("subject").GetString());
        }

        // The developer's calls carry the developer's own token for the server, issued to the policy's client.
        var first = await UpstreamTokenAsync(tenant, developerToken);
        Assert.Equal(developerSub, first.Subject);
        Assert.Equal(first.EncodedToken, BearerOf(await CallOnAsync(kept, tenant, keptSession))?.EncodedToken);
        Assert.Contains("authorization", (await SdkCallAsync(tenant, developerToken)).GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(Resource, first.Audiences);
        var mine = await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation);
        Assert.Equal(tenant, Assert.Single(mine!).GetProperty("tenant").GetString());
        var stored = await StoredTokensAsync(tenant);
        Assert.True(stored.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(first.EncodedToken).AsSpan(0, 24)) < 0, "The token is kept encrypted.");

        // Another user still has to authorize it for themselves.
        var adminToken = await controlPlane.GetTokenAsync("admin", Cancellation);
        Assert.Equal(-32042, (int)(await CallAsync(tenant, adminToken))["error"]!["code"]!);

        // An expiring token is refreshed by the vault with the refresh token.
        await ExpireAsync(tenant);
        var refreshed = await UpstreamTokenAsync(tenant, developerToken, except: first.EncodedToken);
        Assert.Equal(developerSub, refreshed.Subject);

        // Replicas asking at once while it expires: one refresh, the same token for all, the connection kept.
        await ExpireAsync(tenant);
        var subject = $"jwt:{controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/')}|{developerSub}";
        var tokens = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => VaultTokenAsync(tenant, subject)));
        Assert.Single(tokens.Distinct(StringComparer.Ordinal));
        Assert.NotEqual(refreshed.EncodedToken, tokens[0]);
        Assert.Equal(tokens[0], await VaultTokenAsync(tenant, subject));

        // The tenant's admins see who connected, without tokens; the developer disconnects and is asked again.
        var listed = await admin.GetStringAsync($"/api/v1/tenants/{tenant}/connections", Cancellation);
        Assert.Contains("\"username\":\"developer\"", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshed.EncodedToken, listed, StringComparison.Ordinal);
        using (var disconnected = await developer.DeleteAsync($"/api/v1/me/connections/{tenant}/acts-as-user", Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, disconnected.StatusCode);
        }

        await EventuallyRefusedAsync(tenant, developerToken);
        var audit = await admin.GetStringAsync($"/api/v1/tenants/{tenant}/audit?type=user-connection", Cancellation);
        Assert.Contains("\"action\":\"created\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"deleted\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshed.EncodedToken, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnection_IsTheTenantsAndThePolicys_AndGoesWithThePolicy()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await ServerActingAsEachUserAsync(admin);
        var other = await ServerActingAsEachUserAsync(admin);
        var developerToken = await controlPlane.GetTokenAsync("developer", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        var answer = Query(await AuthorizeAtIssuerAsync(developer, tenant, "developer"));
        (await developer.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = answer["code"], state = answer["state"] }, Cancellation)).EnsureSuccessStatusCode();
        await UpstreamTokenAsync(tenant, developerToken);

        // The same policy name in another tenant is another connection: there the developer has authorized nothing.
        Assert.Equal(-32042, (int)(await EventuallyRefusedAsync(other, developerToken))["code"]!);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/v1/tenants/{other}/connections", Cancellation))!);

        // Refusals of the doors: a policy that does not keep users' tokens answers as one that does not exist (any
        // signed-in user may ask, and learns nothing else of the tenant's policies); a state never started.
        await ControlPlanePolicyTests.CreatePolicyAsync(admin, tenant, "static", "backend-auth", new { kind = "route", name = "mcp" }, new { passthrough = new { } });
        using (var notUserOAuth = await developer.PostAsJsonAsync("/api/v1/me/connections/authorize", new { tenant, policy = "static" }, Cancellation))
        using (var missing = await developer.PostAsJsonAsync("/api/v1/me/connections/authorize", new { tenant, policy = "nobody" }, Cancellation))
        {
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (notUserOAuth.StatusCode, missing.StatusCode));
            var notUserOAuthDetail = (await notUserOAuth.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString()!;
            var missingDetail = (await missing.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString()!;
            Assert.Equal(notUserOAuthDetail.Replace("'static'", "'P'", StringComparison.Ordinal), missingDetail.Replace("'nobody'", "'P'", StringComparison.Ordinal));
        }

        // A policy naming another policy's Portal page as its redirect would borrow that policy's client: refused.
        await RestApiTests.CreateServerAsync(admin, tenant, "other", fixture.Probe.McpEndpoint);
        await ControlPlanePolicyTests.CreatePolicyAsync(admin, tenant, "borrower", "backend-auth", new { kind = "mcp-server", name = "other" }, new
        {
            userOauth = new
            {
                authorizationUrl = "https://login.example.test/authorize", tokenUrl = controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/') + "/protocol/openid-connect/token",
                clientId = "borrowed", redirectUri = $"{ControlPlaneFixture.PortalUrl}/connections/callback/{tenant}/acts-as-user",
            },
        });
        using (var borrowing = await developer.PostAsJsonAsync("/api/v1/me/connections/authorize", new { tenant, policy = "borrower" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, borrowing.StatusCode);
            Assert.Contains("another policy", await borrowing.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        using (var forged = await developer.PostAsJsonAsync("/api/v1/me/connections/complete", new { code = "x", state = "not-a-state" }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        // Deleting the policy forgets its users' tokens.
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant}/policies/acts-as-user", Cancellation)).EnsureSuccessStatusCode();
        Assert.DoesNotContain((await developer.GetFromJsonAsync<JsonElement[]>("/api/v1/me/connections", Cancellation))!,
            connection => connection.GetProperty("tenant").GetString() == tenant);
    }

    /// <summary>A tenant whose route authenticates callers with the platform's issuer, over the probe acting as each user.</summary>
    private async Task<string> ServerActingAsEachUserAsync(HttpClient admin)
    {
        var tenant = await RestApiTests.CreateTenantAsync(admin, null, null);
        await RestApiTests.CreateServerAsync(admin, tenant, "probe", fixture.Probe.McpEndpoint);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "probe" } }, Cancellation)).EnsureSuccessStatusCode();
        var issuer = controlPlane.Identity.Issuer.AbsoluteUri.TrimEnd('/');
        await ControlPlanePolicyTests.CreatePolicyAsync(admin, tenant, "callers", "jwt-auth", new { kind = "route", name = "mcp" }, new
        {
            mode = "strict",
            providers = new[] { new { issuer, audiences = new[] { "agentgateway-proxy" }, jwksUri = issuer + "/protocol/openid-connect/certs" } },
        });

        var (clientId, clientSecret) = await RegisterClientAsync(issuer);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}/secrets/client-secret", new { value = clientSecret }, Cancellation)).EnsureSuccessStatusCode();
        await ControlPlanePolicyTests.CreatePolicyAsync(admin, tenant, "acts-as-user", "backend-auth", new { kind = "mcp-server", name = "probe" }, new
        {
            userOauth = new
            {
                authorizationUrl = issuer + "/protocol/openid-connect/auth",
                tokenUrl = issuer + "/protocol/openid-connect/token",
                clientId,
                clientSecret = new { secretRef = "client-secret" },
                scopes = new[] { "offline_access" },
                resource = Resource,
                redirectUri = Redirect,
            },
        });
        return tenant;
    }

    /// <summary>A confidential client of the issuer for the code flow to <see cref="Redirect"/> (RFC 7591).</summary>
    private static async Task<(string Id, string Secret)> RegisterClientAsync(string issuer)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(issuer + "/clients-registrations/openid-connect", new Dictionary<string, object>
        {
            ["client_name"] = "Acts as each user",
            ["redirect_uris"] = new[] { Redirect },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = "client_secret_basic",
        }, Cancellation);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        var client = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        return (client.GetProperty("client_id").GetString()!, client.GetProperty("client_secret").GetString()!);
    }

    /// <summary>The user's authorization started through AdminApi, signed in at the issuer: where the issuer sends the browser back.</summary>
    private static async Task<Uri> AuthorizeAtIssuerAsync(HttpClient user, string tenant, string username)
    {
        using var started = await user.PostAsJsonAsync("/api/v1/me/connections/authorize", new { tenant, policy = "acts-as-user" }, Cancellation);
        Assert.True(started.StatusCode == HttpStatusCode.OK, await started.Content.ReadAsStringAsync(Cancellation));
        var url = new Uri((await started.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("authorizationUrl").GetString()!);
        Assert.Contains("code_challenge_method=S256", url.Query, StringComparison.Ordinal);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        return await IssuerBrowser.SignInAsync(browser, url, username, Cancellation);
    }

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Select(part => part.Split('=', 2)).ToDictionary(part => part[0], part => Uri.UnescapeDataString(part[1]), StringComparer.Ordinal);

    /// <summary>A <c>headers</c> call through the route as the caller of <paramref name="token"/>, on a new session: the JSON-RPC answer.</summary>
    private async Task<JsonObject> CallAsync(string tenant, string token)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await CallOnAsync(http, tenant, await McpTestClient.OpenSessionAsync(http, fixture.Route(tenant, "mcp"), Cancellation));
    }

    private async Task<JsonObject> CallOnAsync(HttpClient http, string tenant, string session)
    {
        var (_, message) = await McpTestClient.PostAsync(http, fixture.Route(tenant, "mcp"), session,
            McpTestClient.Request("tools/call", new JsonObject { ["name"] = "headers", ["arguments"] = new JsonObject() }), Cancellation);
        return message!;
    }

    /// <summary>The bearer token the probe reports it received, from a <c>headers</c> call's answer; null without one.</summary>
    private static JsonWebToken? BearerOf(JsonObject answer)
    {
        if (answer["result"]?["content"]?[0]?["text"] is not JsonValue text)
        {
            return null;
        }

        var authorization = (string?)JsonNode.Parse((string)text!)!["headers"]!["authorization"];
        return authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? new JsonWebToken(authorization[7..]) : null;
    }

    /// <summary>The error of a call once the route has reached the proxy and the caller's token is not (or no longer) there.</summary>
    private async Task<JsonObject> EventuallyRefusedAsync(string tenant, string token)
    {
        JsonObject? answer = null;
        await EventuallyAsync(async () => (answer = await CallAsync(tenant, token))["error"] is JsonObject found && (int)found["code"]! == -32042,
            () => $"the call to be refused for want of the user's authorization (last answer: {answer?.ToJsonString()})");
        return (JsonObject)answer!["error"]!;
    }

    /// <summary>The bearer token the probe received on the caller's call (once it is another than <paramref name="except"/>).</summary>
    private async Task<JsonWebToken> UpstreamTokenAsync(string tenant, string token, string? except = null)
    {
        JsonWebToken? received = null;
        await EventuallyAsync(async () =>
        {
            received = BearerOf(await CallAsync(tenant, token));
            return received is not null && received.EncodedToken != except;
        }, () => except is null ? "the user's own token to reach the server" : "a refreshed token to reach the server");
        return received!;
    }

    /// <summary>A <c>headers</c> call with the official TypeScript MCP client: its report.</summary>
    private Task<JsonElement> SdkCallAsync(string tenant, string token) => NodeScript.RunAsync(
        NodeScript.Node22, Path.Combine(ServiceProcess.RepositoryRoot, "tests", "node", "clients", "url-elicitation.mjs"),
        [fixture.Route(tenant, "mcp").AbsoluteUri, token, "headers"], Cancellation);

    /// <summary>What the vault answers a proxy for the user's token (gRPC, with the proxy's credentials).</summary>
    private async Task<string> VaultTokenAsync(string tenant, string subject)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(controlPlane.XdsUrl);
        var client = new AgentGateway.Contracts.V1.GatewayReports.GatewayReportsClient(channel);
        var headers = new Grpc.Core.Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", Cancellation) } };
        var answer = await client.GetUserTokenAsync(
            new AgentGateway.Contracts.V1.UserTokenRequest { Tenant = tenant, Connection = "acts-as-user", Subject = subject }, headers, cancellationToken: Cancellation);
        return answer.AccessToken;
    }

    private async Task<byte[]> StoredTokensAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(controlPlane.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "select \"AccessToken\" from user_connections c join tenants t on t.\"Id\" = c.\"TenantId\" where t.\"Name\" = @tenant", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        return (byte[])(await command.ExecuteScalarAsync(Cancellation))!;
    }

    /// <summary>Makes the tenant's kept tokens about to expire, as time would.</summary>
    private async Task ExpireAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(controlPlane.ConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "update user_connections set \"ExpiresAt\" = now() + interval '10 seconds' where \"TenantId\" = (select \"Id\" from tenants where \"Name\" = @tenant)", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        Assert.Equal(1, await command.ExecuteNonQueryAsync(Cancellation));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Timed out waiting for {what()}.");
            await Task.Delay(250, Cancellation);
        }
    }
}
