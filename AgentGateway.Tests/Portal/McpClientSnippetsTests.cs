using System.Text.Json.Nodes;
using AgentGateway.Portal.Components.Pages.Routes;

namespace AgentGateway.Tests.Portal;

/// <summary>The client configurations the Portal shows for an MCP route: each names the route's endpoint where its client reads it.</summary>
public sealed class McpClientSnippetsTests
{
    private const string Endpoint = "http://localhost:8080/demo/mcp";

    [Fact]
    public void EachClientsSnippet_PointsItsServerAtTheEndpoint_InThatClientsShape()
    {
        var snippets = McpClientSnippets.For("demo", "mcp", Endpoint).ToDictionary(snippet => snippet.Client);
        Assert.Equal(["Claude Code", "Claude Desktop", "Cursor", "Gemini CLI", "VS Code"], snippets.Keys.Order(StringComparer.Ordinal));

        var vscode = JsonNode.Parse(snippets["VS Code"].Text)!["servers"]!["demo-mcp"]!;
        Assert.Equal(("http", Endpoint), ((string?)vscode["type"], (string?)vscode["url"]));
        Assert.Equal(Endpoint, (string?)JsonNode.Parse(snippets["Cursor"].Text)!["mcpServers"]!["demo-mcp"]!["url"]);
        Assert.Equal(Endpoint, (string?)JsonNode.Parse(snippets["Gemini CLI"].Text)!["mcpServers"]!["demo-mcp"]!["httpUrl"]);
        var desktop = JsonNode.Parse(snippets["Claude Desktop"].Text)!["mcpServers"]!["demo-mcp"]!;
        Assert.Equal("npx", (string?)desktop["command"]);
        Assert.Equal(["-y", "mcp-remote", Endpoint], desktop["args"]!.AsArray().Select(arg => (string?)arg));
        Assert.Equal($"claude mcp add --transport http demo-mcp {Endpoint}", snippets["Claude Code"].Text);
    }
}
