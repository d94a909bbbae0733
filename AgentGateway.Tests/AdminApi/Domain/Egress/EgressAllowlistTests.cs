using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentGateway.Contracts;
using AgentGateway.Contracts.V1;
using AgentGateway.Tests.AdminApi.Fixtures;
using AgentGateway.Tests.Fixtures;
using static AgentGateway.Tests.AdminApi.Endpoints.RestApiTests;

namespace AgentGateway.Tests.AdminApi.Domain.Egress;

/// <summary>The save-time SSRF check on every URL a tenant registers, and the platform's allowlist.</summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class EgressAllowlistTests(ControlPlaneFixture controlPlane)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local")]
    [InlineData("http://10.0.0.1/mcp", "10.0.0.1", "private network")]
    [InlineData("http://[::ffff:192.168.1.1]/mcp", "192.168.1.1", "private network")]
    [InlineData("http://[::1]:8080/mcp", "::1", "loopback")]
    [InlineData("http://0.0.0.0:5101/mcp", "0.0.0.0", "this network")]
    [InlineData("http://localhost:1/mcp", "'localhost' resolves to", "loopback")]
    [InlineData("http://nowhere.invalid/mcp", "does not resolve", "allowed by name")]
    public async Task McpServerUrls_InRestrictedRanges_AreRefusedNamingTheAddressAndRange(string url, string address, string range)
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";

        foreach (var transport in new[] { "streamable-http", "sse", "openapi" })
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync(servers, new { name = "internal", transport, url }, Cancellation), HttpStatusCode.BadRequest);
            var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
            Assert.Contains(address, message, StringComparison.Ordinal);
            Assert.Contains(range, message, StringComparison.Ordinal);
            Assert.Contains("platform admin", message, StringComparison.Ordinal);
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>(servers, Cancellation) ?? []);
    }

    [Fact]
    public async Task AllowRule_LetsItsPortThrough_OnlyThatPort_UntilItIsRemoved_AndIsPushedToProxies()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        var tenant = await CreateTenantAsync(admin, null, null);
        var servers = $"/api/v1/tenants/{tenant}/mcp-servers";
        var port = ServiceProcess.GetFreePort();
        var url = $"http://127.0.0.1:{port}/mcp";
        await using var xds = await XdsTestClient.ConnectAsync(controlPlane, Cancellation, ResourceTypes.EgressPolicy);

        await AssertProblemAsync(await admin.PostAsJsonAsync(servers, Server("local", new Uri(url)), Cancellation), HttpStatusCode.BadRequest);
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "127.0.0.1/32", ports = new[] { port }, description = "a local server" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        var rule = await allowed.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var id = rule.GetProperty("id").GetGuid();
        Assert.Equal("admin", rule.GetProperty("createdBy").GetString());

        // Proxies get the rule with the block switched on.
        var policy = await xds.WaitForAsync<EgressPolicy>(ResourceTypes.EgressPolicy, ResourceTypes.EgressPolicyName,
            candidate => candidate.Allow.Any(allow => allow.Cidr == "127.0.0.1/32" && allow.Ports.SequenceEqual([(uint)port])), Cancellation);
        Assert.True(policy.BlockPrivateNetworks);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(servers, Server("local", new Uri(url)), Cancellation)).StatusCode);
        await AssertProblemAsync(await admin.PostAsJsonAsync(servers, Server("neighbour", new Uri($"http://127.0.0.1:{port + 1}/mcp")), Cancellation), HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/routes", new { name = "mcp", targets = new[] { "local" } }, Cancellation)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/v1/egress-allowlist/{id}", UriKind.Relative), Cancellation)).StatusCode);
        await xds.WaitForAsync<EgressPolicy>(ResourceTypes.EgressPolicy, ResourceTypes.EgressPolicyName,
            candidate => !candidate.Allow.Any(allow => allow.Ports.Contains((uint)port)), Cancellation);
        using (var update = Put($"{servers}/local", new { transport = "streamable-http", url }, null))
        {
            await AssertProblemAsync(await admin.SendAsync(update, Cancellation), HttpStatusCode.BadRequest);
        }

        // AdminApi's own connections (listing a route's tools) are held to the allowlist when they are made.
        var tools = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/tenants/{tenant}/routes/mcp/tools", Cancellation);
        Assert.Contains("egress allowlist", tools.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowlist_IsForPlatformAdmins_AndRulesAreValidated()
    {
        using var admin = await controlPlane.CreateClientAsync("admin", Cancellation);
        using var developer = await controlPlane.CreateClientAsync("developer", Cancellation);
        await AssertProblemAsync(await developer.GetAsync(new Uri("/api/v1/egress-allowlist", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.PostAsJsonAsync("/api/v1/egress-allowlist", new { cidr = "10.0.0.0/8" }, Cancellation), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await developer.DeleteAsync(new Uri($"/api/v1/egress-allowlist/{Guid.NewGuid()}", UriKind.Relative), Cancellation), HttpStatusCode.Forbidden);

        foreach (var (body, field) in new (object, string)[]
        {
            (new { cidr = "10.0.0.0/8", host = "both.example" }, "cidr"),
            (new { }, "cidr"),
            (new { cidr = "10.0.0.300/8" }, "cidr"),
            (new { host = "not a host!" }, "host"),
            (new { host = "ok.example", ports = new[] { 0 } }, "ports"),
        })
        {
            var problem = await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/egress-allowlist", body, Cancellation), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {problem}");
        }

        // A host rule lets a name through that resolves to nothing; the host is stored in lower case.
        var tenant = await CreateTenantAsync(admin, null, null);
        var url = new Uri("http://Internal-Notes.invalid:8443/mcp");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers", Server("notes", url), Cancellation), HttpStatusCode.BadRequest);
        using var allowed = await admin.PostAsJsonAsync("/api/v1/egress-allowlist", new { host = "Internal-Notes.invalid", ports = new[] { 8443 } }, Cancellation);
        var rule = await allowed.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal("internal-notes.invalid", rule.GetProperty("host").GetString());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/mcp-servers", Server("notes", url), Cancellation)).StatusCode);
        Assert.Contains((await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/egress-allowlist", Cancellation))!, listed => listed.GetProperty("id").GetGuid() == rule.GetProperty("id").GetGuid());
        (await admin.DeleteAsync(new Uri($"/api/v1/egress-allowlist/{rule.GetProperty("id").GetGuid()}", UriKind.Relative), Cancellation)).EnsureSuccessStatusCode();
    }
}
