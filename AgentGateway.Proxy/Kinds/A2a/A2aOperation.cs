using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// What an A2A request asks for, as far as the gateway reads it: the binding and normalized method (see
/// <see cref="A2aMethods"/>), the JSON-RPC id to answer errors with, what rules may look at, the push-notification
/// webhook URLs it carries, and the body that was read to learn all that (sent on unchanged).
/// </summary>
internal sealed class A2aOperation
{
    public required string Binding { get; init; }

    public required string Method { get; init; }

    /// <summary>"0.3", "1.0", or empty when the method's name tells neither.</summary>
    public string Version { get; init; } = string.Empty;

    public JsonNode? Id { get; init; }

    public string TaskId { get; init; } = string.Empty;

    public string ContextId { get; init; } = string.Empty;

    /// <summary>The skill a client names in the message's or request's metadata (<c>skillId</c>), or empty.</summary>
    public string Skill { get; init; } = string.Empty;

    public IReadOnlyList<string> WebhookUrls { get; init; } = [];

    /// <summary>The request body as read, or null when it was not read (it streams on untouched).</summary>
    public byte[]? Body { get; init; }

    public bool IsStreaming => A2aMethods.IsStreaming(Method);

    /// <summary>The <c>a2a</c> variable of authorization rules.</summary>
    public Dictionary<string, object?> Variable() => new(StringComparer.Ordinal)
    {
        ["method"] = Method,
        ["binding"] = Binding,
        ["version"] = Version,
        ["skill"] = Skill,
        ["contextId"] = ContextId,
        ["taskId"] = TaskId,
    };
}
