using AgentGateway.Tests.Proxy.Pipeline;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Proxy.Kinds.Mcp.Governance;

/// <summary>MCP authorization with CEL rules through the real MCP client: lists show what a caller may use, calls of anything else are refused.</summary>
[Collection(PolicyGatewayCollection.Name)]
public sealed class McpAuthorizationTests(PolicyGatewayFixture gateway)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RulesFilterPromptsAndResourcesToo_AndRefuseReadingThem()
    {
        await using var alice = await gateway.ConnectAsync("rbac", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("alice")));
        Assert.Equal(["greet"], (await alice.ListPromptsAsync(cancellationToken: Cancellation)).Select(prompt => prompt.Name));
        Assert.Equal(["probe://info"], (await alice.ListResourcesAsync(cancellationToken: Cancellation)).Select(resource => resource.Uri));
        Assert.Equal("the probe", Assert.IsType<TextResourceContents>((await alice.ReadResourceAsync("probe://info", cancellationToken: Cancellation)).Contents[0]).Text);

        // bob's rule allows the echo tool only.
        await using var bob = await gateway.ConnectAsync("rbac", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("bob", claims => claims["groups"] = new[] { "readers" })));
        Assert.Empty(await bob.ListPromptsAsync(cancellationToken: Cancellation));
        Assert.Empty(await bob.ListResourcesAsync(cancellationToken: Cancellation));
        await Assert.ThrowsAsync<McpProtocolException>(() => bob.GetPromptAsync("greet", cancellationToken: Cancellation).AsTask());
        await Assert.ThrowsAsync<McpProtocolException>(() => bob.ReadResourceAsync("probe://info", cancellationToken: Cancellation).AsTask());
    }

    [Fact]
    public async Task RulesFilterTheToolList_AndRefuseCallsOfAnythingElse()
    {
        await using var alice = await gateway.ConnectAsync("rbac", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("alice")));
        Assert.Equal(["echo", "headers"], (await alice.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name).Order());

        await using var bob = await gateway.ConnectAsync("rbac", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("bob", claims => claims["groups"] = new[] { "readers" })));
        Assert.Equal(["echo"], (await bob.ListToolsAsync(cancellationToken: Cancellation)).Select(tool => tool.Name));
        var echo = await bob.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "allowed" }, cancellationToken: Cancellation);
        Assert.Equal("allowed", Assert.IsType<TextContentBlock>(echo.Content[0]).Text);
        var denied = await Assert.ThrowsAsync<McpProtocolException>(() => bob.CallToolAsync("headers", cancellationToken: Cancellation).AsTask());
        Assert.Equal(-32041, (int)denied.ErrorCode);
        Assert.Contains("authorization rules do not allow tools/call of the tool 'headers'", denied.Message, StringComparison.Ordinal);

        await using var carol = await gateway.ConnectAsync("rbac", Cancellation, PolicyGatewayFixture.Bearer(gateway.Token("carol")));
        Assert.Empty(await carol.ListToolsAsync(cancellationToken: Cancellation));
        await Assert.ThrowsAsync<McpProtocolException>(() => carol.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "x" }, cancellationToken: Cancellation).AsTask());
    }
}
