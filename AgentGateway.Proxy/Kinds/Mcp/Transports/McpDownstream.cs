using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Protocols;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The answer to one POSTed request. It stays plain JSON while the only thing to send is the response, and turns
/// into an SSE stream as soon as a target sends something else first (progress, logging, a server-to-client request)
/// — provided the client accepts <c>text/event-stream</c>.
/// </summary>
internal sealed class McpDownstream(HttpContext context, bool acceptsEventStream, bool acceptsJson) : IMcpDownstream, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _streaming;
    private volatile bool _preferStream;

    public bool IsStreaming => _streaming;

    /// <summary>Answers with a stream (when the client accepts one) even if nothing but the response comes, as the target did.</summary>
    public void PreferStream() => _preferStream = true;

    /// <summary>Sends a message that is not the response; dropped when the client cannot take a stream.</summary>
    public async ValueTask SendAsync(JsonObject? message, string? eventId, TimeSpan? retry)
    {
        if (!acceptsEventStream)
        {
            return;
        }

        await _gate.WaitAsync(context.RequestAborted);
        try
        {
            StartStream();
            await McpSse.WriteEventAsync(context.Response, message, eventId, retry, context.RequestAborted);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends the response and ends the exchange.</summary>
    public async Task CompleteAsync(JsonObject response, int statusCode = StatusCodes.Status200OK)
    {
        await _gate.WaitAsync(context.RequestAborted);
        try
        {
            if (_streaming || (acceptsEventStream && (_preferStream || !acceptsJson) && statusCode == StatusCodes.Status200OK))
            {
                StartStream();
                await McpSse.WriteEventAsync(context.Response, response, null, null, context.RequestAborted);
                return;
            }

            await WriteJsonAsync(context, statusCode, response);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Ends the stream without a response because the target paused: the client resumes with <c>Last-Event-ID</c>
    /// (the last event id relayed) on a GET.
    /// </summary>
    public async Task PauseAsync(string? eventId, TimeSpan? retry)
    {
        await _gate.WaitAsync(context.RequestAborted);
        try
        {
            StartStream();
            if (eventId is not null || retry is not null)
            {
                await McpSse.WriteEventAsync(context.Response, null, eventId, retry, context.RequestAborted);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonObject message)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(message, JsonRpcMessages.SerializerOptions), context.RequestAborted);
    }

    public void Dispose() => _gate.Dispose();

    private void StartStream()
    {
        if (_streaming)
        {
            return;
        }

        _streaming = true;
        McpSse.Start(context.Response);
    }
}

/// <summary>Writes Server-Sent Events.</summary>
internal static class McpSse
{
    private static readonly byte[] s_keepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task WriteEventAsync(HttpResponse response, JsonObject? message, string? eventId, TimeSpan? retry, CancellationToken cancellationToken)
    {
        var builder = new StringBuilder(256);
        if (eventId is not null)
        {
            builder.Append("id: ").Append(eventId).Append('\n');
        }

        if (retry is { } delay)
        {
            builder.Append("retry: ").Append(((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (message is not null)
        {
            builder.Append("event: message\n");
        }

        builder.Append("data: ");
        if (message is not null)
        {
            builder.Append(message.ToJsonString(JsonRpcMessages.SerializerOptions));
        }

        builder.Append("\n\n");
        await response.WriteAsync(builder.ToString(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Writes an event of a named type with raw data (the legacy transport's <c>endpoint</c> event).</summary>
    public static async Task WriteRawEventAsync(HttpResponse response, string eventType, string data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {eventType}\ndata: {data}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static async Task WriteKeepAliveAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(s_keepAlive, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
