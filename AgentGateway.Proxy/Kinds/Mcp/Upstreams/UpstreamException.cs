namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>A target failed at the transport level: unreachable, an HTTP error, or an answer that is not MCP.</summary>
internal class UpstreamException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The target no longer knows the session (HTTP 404 to a request carrying its session id).</summary>
internal sealed class UpstreamSessionExpiredException() : UpstreamException("the upstream session has expired");

/// <summary>
/// The target ended an SSE response stream before it sent the response, leaving a resumption point: the client
/// reconnects with <c>Last-Event-ID</c> to receive the rest.
/// </summary>
internal sealed class UpstreamStreamPausedException(string? lastEventId, TimeSpan? retry)
    : UpstreamException("the upstream closed the stream before answering")
{
    public string? LastEventId { get; } = lastEventId;

    public TimeSpan? Retry { get; } = retry;
}
