using System.Globalization;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Samples;

public sealed class UtilitiesServerTests(SampleServerFixture samples) : IClassFixture<SampleServerFixture>
{
    [Fact]
    public async Task ToolsList_OffersTheUtilityTools()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.UtilsEndpoint, cancellationToken);

        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);

        Assert.Equal("utils", client.ServerInfo?.Name);
        Assert.Equal(
            ["add", "base64_decode", "base64_encode", "clock", "echo", "now", "sha256", "uuid", "wait"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ToolsCall_ComputesResults()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.UtilsEndpoint, cancellationToken);

        Assert.Equal("hello", await CallTextAsync(client, "echo", new() { ["message"] = "hello" }));
        Assert.Equal("5", await CallTextAsync(client, "add", new() { ["a"] = 2, ["b"] = 3 }));
        Assert.Equal(
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            await CallTextAsync(client, "sha256", new() { ["text"] = "hello" }));
        Assert.Equal("aGVsbG8=", await CallTextAsync(client, "base64_encode", new() { ["text"] = "hello" }));
        Assert.Equal("hello", await CallTextAsync(client, "base64_decode", new() { ["base64"] = "aGVsbG8=" }));
        Assert.True(Guid.TryParse(await CallTextAsync(client, "uuid", []), out _));
        var now = DateTimeOffset.Parse(await CallTextAsync(client, "now", []), CultureInfo.InvariantCulture);
        Assert.InRange(now, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task ToolsCall_WithInvalidBase64_ReturnsToolError()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.UtilsEndpoint, cancellationToken);

        var result = await client.CallToolAsync("base64_decode", new Dictionary<string, object?> { ["base64"] = "%%%" }, cancellationToken: cancellationToken);

        Assert.True(result.IsError);
        Assert.Contains("not valid Base64", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptsAndResources_AreListedAndReadable()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.UtilsEndpoint, cancellationToken);

        var prompts = await client.ListPromptsAsync(cancellationToken: cancellationToken);
        Assert.Contains(prompts, p => p.Name == "checksum_request");
        var prompt = await client.GetPromptAsync("checksum_request", new Dictionary<string, object?> { ["text"] = "abc" }, cancellationToken: cancellationToken);
        Assert.Contains("abc", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text, StringComparison.Ordinal);

        var resources = await client.ListResourcesAsync(cancellationToken: cancellationToken);
        Assert.Contains(resources, r => r.Uri == "utils://about");
        var about = await client.ReadResourceAsync("utils://about", cancellationToken: cancellationToken);
        Assert.Contains("sha256", Assert.IsType<TextResourceContents>(Assert.Single(about.Contents)).Text, StringComparison.Ordinal);
    }

    private static async Task<string> CallTextAsync(ModelContextProtocol.Client.McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, result.IsError);
        return Text(result);
    }

    private static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
