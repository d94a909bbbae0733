using System.Net.ServerSentEvents;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGateway.ConformanceServer.Mcp.Resumability;

/// <summary>
/// Stores SSE events for resumption (SEP-1699) like the store it wraps, but keeps every stream in streaming mode:
/// a client that resumes a stream the server closed early with <c>Last-Event-ID</c> gets the events stored so far
/// and then the rest of the stream, up to the response, on the same connection.
/// </summary>
/// <remarks>
/// The SDK switches a stream to polling mode when a handler closes it early, and a resumed polling stream ends as
/// soon as the stored events are sent. A client that resumes at once (as the conformance suite does) would then
/// miss a response that arrives a moment later.
/// </remarks>
internal sealed class ResumableEventStreamStore(DistributedCacheEventStreamStore inner) : ISseEventStreamStore
{
    public async ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default) =>
        new StreamingWriter(await inner.CreateStreamAsync(options, cancellationToken));

    public ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default) =>
        inner.GetStreamReaderAsync(lastEventId, cancellationToken);

    private sealed class StreamingWriter(ISseEventStreamWriter writer) : ISseEventStreamWriter
    {
        public ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default) =>
            mode == SseEventStreamMode.Streaming ? writer.SetModeAsync(mode, cancellationToken) : ValueTask.CompletedTask;

        public ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default) =>
            writer.WriteEventAsync(sseItem, cancellationToken);

        public ValueTask DisposeAsync() => writer.DisposeAsync();
    }
}
