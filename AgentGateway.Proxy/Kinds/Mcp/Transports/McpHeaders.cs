using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Protocols;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>The HTTP headers of MCP's Streamable HTTP transport.</summary>
internal static class McpHeaders
{
    public const string SessionId = "Mcp-Session-Id";
    public const string ProtocolVersion = "MCP-Protocol-Version";
    public const string LastEventId = "Last-Event-ID";

    /// <summary>The stateless revision's mirror of the JSON-RPC method.</summary>
    public const string Method = "Mcp-Method";

    /// <summary>The stateless revision's mirror of the tool or prompt name or resource URI.</summary>
    public const string Name = "Mcp-Name";

    /// <summary>The prefix of the headers that mirror tool arguments marked <c>x-mcp-header</c>.</summary>
    public const string ParamPrefix = "Mcp-Param-";

    /// <summary>The longest session id a client may send back (the gateway's own carry sealed state, well below it).</summary>
    public const int MaxSessionIdLength = 16 * 1024;

    private const string Base64Prefix = "=?base64?";
    private const string Base64Suffix = "?=";

    /// <summary>What <see cref="Name"/> mirrors for <paramref name="message"/>: params.name or params.uri, for the methods that have one.</summary>
    public static string? NameOf(JsonObject message) => JsonRpc.Method(message) switch
    {
        RequestMethods.ToolsCall or RequestMethods.PromptsGet => JsonRpc.GetString(message["params"], "name"),
        RequestMethods.ResourcesRead => JsonRpc.GetString(message["params"], "uri"),
        _ => null,
    };

    /// <summary>Whether a session id is one the transport allows: visible ASCII (0x21-0x7E) only, of a bounded length.</summary>
    public static bool IsWellFormedSessionId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length is > 0 and <= MaxSessionIdLength && !value.AsSpan().ContainsAnyExceptInRange('!', '~');
    }

    /// <summary>A header value as sent: plain when it is visible ASCII without edge spaces, else in the base64 form.</summary>
    public static string EncodeValue(string value)
    {
        var plain = value.Length > 0 && value[0] != ' ' && value[^1] != ' ' && value.All(character => character is >= ' ' and <= '~')
            && !(value.StartsWith(Base64Prefix, StringComparison.Ordinal) && value.EndsWith(Base64Suffix, StringComparison.Ordinal));
        return plain ? value : Base64Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + Base64Suffix;
    }

    /// <summary>Reads a header value, decoding the base64 form; false when that form is not valid base64.</summary>
    public static bool TryDecodeValue(string header, out string value)
    {
        value = header.Trim();
        if (value.Length < Base64Prefix.Length + Base64Suffix.Length
            || !value.StartsWith(Base64Prefix, StringComparison.Ordinal) || !value.EndsWith(Base64Suffix, StringComparison.Ordinal))
        {
            return true;
        }

        var encoded = value[Base64Prefix.Length..^Base64Suffix.Length];
        if (encoded.Length % 4 != 0 || !Base64.IsValid(encoded))
        {
            return false;
        }

        value = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        return true;
    }
}
