using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Protocols;

/// <summary>Small facts about JSON-RPC 2.0 messages held as <see cref="JsonObject"/>.</summary>
internal static class JsonRpc
{
    public static bool IsResponse(JsonObject message) =>
        !message.ContainsKey("method") && (message.ContainsKey("result") || message.ContainsKey("error"));

    public static bool IsRequest(JsonObject message) => message.ContainsKey("method") && message.ContainsKey("id");

    public static string? Method(JsonObject message) =>
        message["method"]?.GetValueKind() == JsonValueKind.String ? message["method"]!.GetValue<string>() : null;

    public static string? GetString(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property]?.GetValueKind() == JsonValueKind.String ? obj[property]!.GetValue<string>() : null;

    /// <summary>
    /// The id of a message as an error may echo it: a string or a number, as sent; anything else (an object, an array,
    /// a boolean) is no id, and the error carries null.
    /// </summary>
    public static JsonNode? EchoableId(JsonObject? message) =>
        message?["id"] is { } id && id.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? id : null;

    /// <summary>Whether two ids are the same JSON value (a string id never equals a number id).</summary>
    public static bool IdEquals(JsonNode? left, JsonNode? right) =>
        left is null ? right is null : right is not null && JsonNode.DeepEquals(left, right);

    public static JsonObject Notification(string method, JsonObject? parameters = null)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return message;
    }

    public static JsonObject Request(JsonNode? id, string method, JsonObject? parameters)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return message;
    }
}
