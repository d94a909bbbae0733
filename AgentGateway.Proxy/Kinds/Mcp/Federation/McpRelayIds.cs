using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Mcp.Federation;

/// <summary>
/// Ids the gateway gives things that must find their way back to one target without any state in the gateway:
/// server-to-client request ids (<c>agw:{target}:{original id as JSON}</c>) and SSE event ids
/// (<c>{target}/{target's event id}</c>). A client's answer or resumption can reach any replica.
/// </summary>
internal static class McpRelayIds
{
    private const string RequestIdPrefix = "agw:";

    public static string ForRequest(string target, JsonNode? id) =>
        string.Concat(RequestIdPrefix, target, ":", id?.ToJsonString() ?? "null");

    public static bool TryParseRequest(JsonNode? id, out string target, out JsonNode? upstreamId)
    {
        target = string.Empty;
        upstreamId = null;
        if (id?.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }

        var value = id.GetValue<string>();
        var colon = value.IndexOf(':', RequestIdPrefix.Length);
        if (!value.StartsWith(RequestIdPrefix, StringComparison.Ordinal) || colon < 0)
        {
            return false;
        }

        try
        {
            upstreamId = JsonNode.Parse(value.AsSpan(colon + 1).ToString());
        }
        catch (JsonException)
        {
            return false;
        }

        target = value[RequestIdPrefix.Length..colon];
        return upstreamId?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number;
    }

    public static string? ForEvent(string target, string? eventId) => eventId is null ? null : string.Concat(target, "/", eventId);

    public static bool TryParseEvent(string? eventId, out string target, out string upstreamEventId)
    {
        var slash = eventId?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        target = slash > 0 ? eventId![..slash] : string.Empty;
        upstreamEventId = slash > 0 ? eventId![(slash + 1)..] : string.Empty;
        return slash > 0;
    }
}
