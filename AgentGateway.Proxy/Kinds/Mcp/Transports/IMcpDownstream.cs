using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>Where the messages a target sends while answering a client request go: the request's own stream.</summary>
internal interface IMcpDownstream
{
    /// <summary>Sends a message that is not the response (progress, logging, a server-to-client request).</summary>
    ValueTask SendAsync(JsonObject? message, string? eventId, TimeSpan? retry);

    /// <summary>Asks for the response to go out as a stream, as the target sent it.</summary>
    void PreferStream();
}
