using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>One message from a target, with the SSE event id and reconnection delay it came with (if any).</summary>
/// <param name="Message">The JSON-RPC message, or null for an event that only carries an id (a resumption point).</param>
/// <param name="EventId">The target's SSE event id, used to resume its stream.</param>
/// <param name="Retry">The reconnection delay the target asked for.</param>
internal readonly record struct UpstreamEvent(JsonObject? Message, string? EventId, TimeSpan? Retry);
