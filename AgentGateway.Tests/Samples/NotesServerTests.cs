using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Tests.Samples;

public sealed class NotesServerTests(SampleServerFixture samples) : IClassFixture<SampleServerFixture>
{
    [Fact]
    public async Task ToolsList_OffersTheNoteTools()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.NotesEndpoint, cancellationToken);

        var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);

        Assert.Equal("notes", client.ServerInfo?.Name);
        Assert.Equal(
            ["add_note", "delete_note", "get_note", "list_notes", "search_notes"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Notes_CanBeAddedFoundReadAndDeleted()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var client = await SampleServerFixture.ConnectAsync(samples.NotesEndpoint, cancellationToken);
        var marker = Guid.NewGuid().ToString("N");

        var added = await CallJsonAsync(client, "add_note", new() { ["title"] = "Groceries " + marker, ["content"] = "milk, eggs" });
        var id = added.GetProperty("id").GetString()!;

        var found = await CallJsonAsync(client, "search_notes", new() { ["query"] = marker });
        Assert.Equal(id, Assert.Single(found.EnumerateArray()).GetProperty("id").GetString());

        var fetched = await CallJsonAsync(client, "get_note", new() { ["id"] = id });
        Assert.Equal("milk, eggs", fetched.GetProperty("content").GetString());

        var listed = await CallJsonAsync(client, "list_notes", []);
        Assert.Contains(listed.EnumerateArray(), n => n.GetProperty("id").GetString() == id);

        var resource = await client.ReadResourceAsync("notes://" + id, cancellationToken: cancellationToken);
        Assert.Contains("milk, eggs", Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text, StringComparison.Ordinal);

        var all = await client.ReadResourceAsync("notes://all", cancellationToken: cancellationToken);
        Assert.Contains(marker, Assert.IsType<TextResourceContents>(Assert.Single(all.Contents)).Text, StringComparison.Ordinal);

        var prompt = await client.GetPromptAsync("summarize_notes", cancellationToken: cancellationToken);
        Assert.Contains(marker, Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text, StringComparison.Ordinal);

        var deleted = await client.CallToolAsync("delete_note", new Dictionary<string, object?> { ["id"] = id }, cancellationToken: cancellationToken);
        Assert.NotEqual(true, deleted.IsError);
        var missing = await client.CallToolAsync("get_note", new Dictionary<string, object?> { ["id"] = id }, cancellationToken: cancellationToken);
        Assert.True(missing.IsError);
        Assert.Contains($"Note '{id}' does not exist.", string.Concat(missing.Content.OfType<TextContentBlock>().Select(c => c.Text)), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> CallJsonAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        Assert.True(result.IsError is not true, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
