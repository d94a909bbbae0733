using System.Text.Json.Nodes;
using AgentGateway.Tests.Fixtures;
using AgentGateway.Tests.Samples;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Governance;

/// <summary>
/// A standalone proxy whose MCP route <c>/acme/guarded</c> guards the echo tool of the sample utilities server
/// (behind a <see cref="FlakyFront"/> that shows what the target got): card numbers in arguments refused, e-mail
/// addresses in arguments masked, phone numbers in results masked, arguments over 2 KiB refused; and
/// <c>/acme/elsewhere</c> with the same guards for another tool only.
/// </summary>
public sealed class ToolGuardsFixture : IAsyncLifetime
{
    public SampleServerFixture Samples { get; } = new();

    public FlakyFront Front { get; private set; } = null!;

    public StandaloneProxy Proxy { get; private set; } = null!;

    public Uri Management { get; } = new($"http://127.0.0.1:{ServiceProcess.GetFreePort()}");

    public Uri Route(string name) => new(Proxy.BaseAddress, $"/acme/{name}");

    public async ValueTask InitializeAsync()
    {
        await Samples.InitializeAsync();
        Front = await FlakyFront.StartAsync(Samples.UtilsEndpoint);
        object Guards(params string[] tools) => new
        {
            tools,
            arguments = new object[]
            {
                new { name = "no-cards", pii = new[] { "credit-card" }, action = "reject" },
                new { name = "emails", pii = new[] { "email" } },
            },
            results = new object[] { new { name = "phones", pii = new[] { "phone" } } },
            maxArgumentBytes = 2048,
        };
        object Route(string name, object guards) => new
        {
            tenant = "acme",
            name,
            path = $"/acme/{name}",
            policies = new { toolGuards = guards },
            mcp = new { targets = new[] { new { name = "utils", streamableHttp = new { url = Front.Url(Samples.UtilsEndpoint.AbsolutePath).ToString() } } } },
        };
        Proxy = await StandaloneProxy.StartAsync(
            new { routes = new[] { Route("guarded", Guards("ech*")), Route("elsewhere", Guards("uuid")) } },
            TestContext.Current.CancellationToken,
            new Dictionary<string, string> { ["Management:Url"] = Management.ToString().TrimEnd('/') });
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Front is not null)
        {
            await Front.DisposeAsync();
        }

        await Samples.DisposeAsync();
    }
}

/// <summary>Tool guards on an MCP route's calls, from the standalone YAML, with the official MCP client.</summary>
public sealed class ToolGuardsTests(ToolGuardsFixture fixture) : IClassFixture<ToolGuardsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ArgumentsAreMasked_BeforeTheTargetSeesThem_AndResultsBeforeTheClientDoes()
    {
        await using var client = await SampleServerFixture.ConnectAsync(fixture.Route("guarded"), Cancellation);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var masked = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"{marker}: write to alice@example.com" }, cancellationToken: Cancellation);
        Assert.Equal($"{marker}: write to [EMAIL]", Text(masked));
        var sent = Assert.Single(fixture.Front.Posts, post => (string?)post.Body?["params"]?["arguments"]?["message"] is { } message && message.StartsWith(marker, StringComparison.Ordinal));
        Assert.Equal($"{marker}: write to [EMAIL]", (string?)sent.Body!["params"]!["arguments"]!["message"]);

        // The target gets the phone number (arguments guards do not look for phones); the client gets its result masked.
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"{marker}: call +1 415 555 0100" }, cancellationToken: Cancellation);
        Assert.Equal($"{marker}: call [PHONE]", Text(result));
        Assert.Contains(fixture.Front.Posts, post => (string?)post.Body?["params"]?["arguments"]?["message"] == $"{marker}: call +1 415 555 0100");
    }

    [Fact]
    public async Task ARejectingGuard_OrAnArgumentBound_RefusesTheCall_AndTheTargetNeverSeesIt()
    {
        await using var client = await SampleServerFixture.ConnectAsync(fixture.Route("guarded"), Cancellation);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var card = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = $"{marker}: pay with 4111 1111 1111 1111" }, cancellationToken: Cancellation));
        Assert.Equal((McpErrorCode)(-32041), card.ErrorCode);
        Assert.Contains("Guard 'no-cards' rejected the arguments: it contains a payment card number", card.Message, StringComparison.Ordinal);

        var large = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = marker + new string('x', 3000) }, cancellationToken: Cancellation));
        Assert.Contains("larger than this route allows (2048 bytes)", large.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Front.Posts, post => ((string?)post.Body?["params"]?["arguments"]?["message"])?.StartsWith(marker, StringComparison.Ordinal) == true);

        using var http = new HttpClient();
        var scrape = await http.GetStringAsync(new Uri(fixture.Management, "/metrics"), Cancellation);
        Assert.True(PrometheusText.Value(scrape, "agentgateway_mcp_guard_actions_total", "guard=\"no-cards\"", "phase=\"arguments\"", "action=\"reject\"") >= 1);
        Assert.True(PrometheusText.Value(scrape, "agentgateway_mcp_guard_actions_total", "guard=\"max-argument-bytes\"", "action=\"reject\"") >= 1);
        Assert.True(PrometheusText.Value(scrape, "agentgateway_policy_refusals_total", "policy=\"tool_guards\"", "agentgateway_route_kind=\"mcp\"") >= 2);
    }

    [Fact]
    public async Task ToolsTheGuardsDoNotName_GoUnchecked()
    {
        await using var client = await SampleServerFixture.ConnectAsync(fixture.Route("elsewhere"), Cancellation);
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "alice@example.com, +1 415 555 0100" }, cancellationToken: Cancellation);
        Assert.Equal("alice@example.com, +1 415 555 0100", Text(result));
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
}
