using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Portal.Components.Pages.Routes;

/// <summary>One client's configuration for an MCP route: which client, where the text goes, and the text.</summary>
public sealed record McpClientSnippet(string Client, string Where, string Text);

/// <summary>
/// Copy-paste configuration of common MCP clients for a route's endpoint (Streamable HTTP): VS Code, Cursor, Claude
/// Code, Claude Desktop (through the <c>mcp-remote</c> bridge) and Gemini CLI. The server's name in each is the
/// tenant's and the route's.
/// </summary>
public static class McpClientSnippets
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static IReadOnlyList<McpClientSnippet> For(string tenant, string route, string endpoint)
    {
        var name = $"{tenant}-{route}";
        return
        [
            new("VS Code", ".vscode/mcp.json in the workspace (or the user's mcp.json)",
                Json(new JsonObject { ["servers"] = new JsonObject { [name] = new JsonObject { ["type"] = "http", ["url"] = endpoint } } })),
            new("Cursor", ".cursor/mcp.json in the project (or ~/.cursor/mcp.json)",
                Json(new JsonObject { ["mcpServers"] = new JsonObject { [name] = new JsonObject { ["url"] = endpoint } } })),
            new("Claude Code", "a terminal", $"claude mcp add --transport http {name} {endpoint}"),
            new("Claude Desktop", "claude_desktop_config.json (Settings → Developer → Edit config)",
                Json(new JsonObject { ["mcpServers"] = new JsonObject { [name] = new JsonObject { ["command"] = "npx", ["args"] = new JsonArray("-y", "mcp-remote", endpoint) } } })),
            new("Gemini CLI", "~/.gemini/settings.json",
                Json(new JsonObject { ["mcpServers"] = new JsonObject { [name] = new JsonObject { ["httpUrl"] = endpoint } } })),
        ];
    }

    private static string Json(JsonObject value) => value.ToJsonString(s_indented);
}
