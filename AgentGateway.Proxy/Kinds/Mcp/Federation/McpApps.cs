using System.Text.Json.Nodes;
using AgentGateway.Contracts.Mcp;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>
/// MCP Apps through prefixed federation: a tool names its user interface, a <c>ui://</c> resource of its server, in
/// its <c>_meta</c> (<c>ui.resourceUri</c>, and the older <c>ui/resourceUri</c>). Where the route prefixes, the
/// resource is listed and read under its federated URI, so the tool names it that way too; the host then reads the
/// view through the gateway from the right target.
/// </summary>
internal static class McpApps
{
    /// <summary>Rewrites the view URIs in <paramref name="tool"/>'s <c>_meta</c> (a copy) to <paramref name="target"/>'s federated form.</summary>
    public static void ComposeViews(JsonObject tool, string target)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (tool["_meta"] is not JsonObject meta)
        {
            return;
        }

        if (meta["ui"] is JsonObject ui && ui["resourceUri"] is JsonValue nested && nested.TryGetValue<string>(out var uri))
        {
            ui["resourceUri"] = FederatedNames.ComposeUri(target, uri, prefixed: true);
        }

        if (meta["ui/resourceUri"] is JsonValue flat && flat.TryGetValue<string>(out var legacy))
        {
            meta["ui/resourceUri"] = FederatedNames.ComposeUri(target, legacy, prefixed: true);
        }
    }
}
