using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// Everything a proxy needs to continue a downstream MCP session: it travels inside the session id itself,
/// sealed by <see cref="McpSessionTokens"/>, so any replica (or the same one after a restart) can serve the next
/// request without a shared store. Property names are short because the id is sent with every request.
/// </summary>
internal sealed class McpSessionState
{
    /// <summary>A random id that names the session in logs and in a replica's local state.</summary>
    [JsonPropertyName("n")]
    public required string Nonce { get; init; }

    /// <summary><c>{tenant}/{route}</c> of the route the session was opened on; an id is never valid on another route.</summary>
    [JsonPropertyName("r")]
    public required string Route { get; init; }

    /// <summary>The protocol revision negotiated with the client.</summary>
    [JsonPropertyName("v")]
    public required string ProtocolVersion { get; init; }

    /// <summary>When the client's initialize opened the session, in Unix milliseconds; 0 for a stateless request's state.</summary>
    [JsonPropertyName("o")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long OpenedAt { get; init; }

    /// <summary>When the id stops being accepted, in Unix seconds.</summary>
    [JsonPropertyName("x")]
    public long ExpiresAt { get; init; }

    /// <summary>The client's <c>capabilities</c> from initialize, offered to targets on its behalf.</summary>
    [JsonPropertyName("c")]
    public JsonObject? ClientCapabilities { get; init; }

    /// <summary>The client's <c>clientInfo</c> from initialize.</summary>
    [JsonPropertyName("i")]
    public JsonObject? ClientInfo { get; init; }

    /// <summary>
    /// Who opened the session (<c>GatewayCaller.Subject</c>); every later request must come from the same caller, so a
    /// leaked session id is of no use to anyone else.
    /// </summary>
    [JsonPropertyName("p")]
    public string? Principal { get; init; }

    /// <summary>The upstream session of each target that was initialized when the session opened, by target name.</summary>
    [JsonPropertyName("t")]
    public Dictionary<string, McpTargetSession> Targets { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One target's upstream session.</summary>
/// <param name="SessionId">The target's <c>Mcp-Session-Id</c>, or null when it runs sessionless.</param>
/// <param name="ProtocolVersion">The revision negotiated with the target.</param>
/// <param name="ConfigHash">Identifies the target's config the session was opened with; a changed target starts over.</param>
/// <param name="Features">What the target offers, from its initialize result.</param>
/// <param name="OpenedAt">When the gateway initialized it, in Unix milliseconds; 0 when it holds no session (OpenAPI).</param>
internal sealed record McpTargetSession(
    [property: JsonPropertyName("s")] string? SessionId,
    [property: JsonPropertyName("v")] string ProtocolVersion,
    [property: JsonPropertyName("h")] string ConfigHash,
    [property: JsonPropertyName("f")] ServerFeatures Features,
    [property: JsonPropertyName("o"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long OpenedAt = 0);

/// <summary>The server capabilities the gateway routes by, as flags.</summary>
[Flags]
internal enum ServerFeatures
{
    None = 0,
    Tools = 1,
    Prompts = 2,
    Resources = 4,
    ResourceSubscriptions = 8,
    Completions = 16,
    Logging = 32,

    /// <summary>Tasks (2025-11-25): the target keeps tasks the client may poll.</summary>
    Tasks = 64,
    TaskList = 128,
    TaskCancel = 256,

    /// <summary>Its tools/call may be task-augmented.</summary>
    TaskToolCalls = 512,
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(McpSessionState))]
internal sealed partial class McpSessionJsonContext : JsonSerializerContext;
