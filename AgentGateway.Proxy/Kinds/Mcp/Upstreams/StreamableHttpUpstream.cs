using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Transports;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Upstream;
using AgentGateway.Proxy.Upstream.Auth;
using AgentGateway.Proxy.Upstream.Resilience;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Upstreams;

/// <summary>
/// The client side of MCP's Streamable HTTP transport, kept raw: every message goes out as it came and every
/// message of the answer (JSON or an SSE stream) comes back as it arrives, so the gateway relays notifications and
/// server-to-client requests without understanding them and carries session ids from replica to replica.
/// </summary>
internal sealed class StreamableHttpUpstream(BackendHttpClients clients, Microsoft.Extensions.Options.IOptions<GatewayLimitsOptions> limits, TimeProvider time)
{
    private static readonly MediaTypeWithQualityHeaderValue s_json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue s_eventStream = new("text/event-stream");
    private static readonly MediaTypeHeaderValue s_jsonContent = new("application/json");

    /// <summary>Posts one message; the answer is read with <see cref="UpstreamResponse.ReadEventsAsync"/>.</summary>
    /// <param name="extraHeaders">Headers to pass on as they are (the stateless revision's <c>Mcp-Param-*</c>).</param>
    /// <param name="caller">Who the request is sent for (the backend's auth may act on the caller's behalf).</param>
    /// <param name="retry">
    /// The route's retry policy: a message that could not be delivered (no connection) is sent again, and a request
    /// answered with a retried status or cut off is sent again when it only reads (a call only with
    /// <c>allowNonIdempotent</c>), with the policy's backoff, before anything of the answer is used.
    /// </param>
    public async Task<UpstreamResponse> PostAsync(
        McpTarget target, ICallerCredentials? caller, string? sessionId, string? protocolVersion, JsonObject message, CancellationToken cancellationToken,
        IReadOnlyList<KeyValuePair<string, string>>? extraHeaders = null, RetryRuntime? retry = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, JsonRpcMessages.SerializerOptions);
        var method = JsonRpc.Method(message);
        var mayRepeat = retry is not null && (retry.AllowNonIdempotent || (method is not null && message.ContainsKey("id") && method != RequestMethods.ToolsCall));
        for (var attempt = 1; ; attempt++)
        {
            using var request = CreatePost(target, caller, sessionId, protocolVersion, message, method, body, extraHeaders);
            var last = retry is null || attempt > retry.Attempts;
            HttpResponseMessage response;
            try
            {
                response = await clients.For(target.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException exception) when (!last && TryInvoker.Classify(exception) is var failure
                && (failure == TryFailure.ConnectFailure ? retry!.OnConnectFailure : mayRepeat && retry!.Retries(failure)))
            {
                await Task.Delay(retry.Backoff(attempt), time, cancellationToken);
                continue;
            }
            catch (HttpRequestException exception)
            {
                throw new UpstreamException(exception.Message, exception);
            }

            if (!last && mayRepeat && retry!.RetriesStatus((int)response.StatusCode))
            {
                response.Dispose();
                await Task.Delay(retry.Backoff(attempt), time, cancellationToken);
                continue;
            }

            return await ReadResponseAsync(response, sessionId, cancellationToken);
        }
    }

    private static HttpRequestMessage CreatePost(
        McpTarget target, ICallerCredentials? caller, string? sessionId, string? protocolVersion, JsonObject message, string? method, byte[] body,
        IReadOnlyList<KeyValuePair<string, string>>? extraHeaders)
    {
        var request = CreateRequest(HttpMethod.Post, target, caller, sessionId, protocolVersion);
        if (McpProtocolVersions.IsStateless(protocolVersion) && method is not null)
        {
            // The stateless revision mirrors the method and the name the request acts on in headers; they are
            // stamped from the body as sent, so a renamed tool carries its upstream name in both.
            request.Headers.TryAddWithoutValidation(McpHeaders.Method, method);
            if (McpHeaders.NameOf(message) is { } name)
            {
                request.Headers.TryAddWithoutValidation(McpHeaders.Name, McpHeaders.EncodeValue(name));
            }
        }

        foreach (var (name, value) in extraHeaders ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.Accept.Add(s_json);
        request.Headers.Accept.Add(s_eventStream);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = s_jsonContent;
        request.Content = content;
        return request;
    }

    /// <summary>Opens the target's GET stream (or resumes one after <paramref name="lastEventId"/>); null when the target offers none.</summary>
    public async Task<UpstreamResponse?> GetStreamAsync(
        McpTarget target, ICallerCredentials? caller, string? sessionId, string? protocolVersion, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(HttpMethod.Get, target, caller, sessionId, protocolVersion);
        request.Headers.Accept.Add(s_eventStream);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await SendAsync(target, request, sessionId, cancellationToken, allowMethodNotAllowed: true);
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed)
        {
            response.Dispose();
            return null;
        }

        return response;
    }

    /// <summary>Ends the target's session; failures are ignored (the target will expire it).</summary>
    public async Task DeleteAsync(McpTarget target, string sessionId, string? protocolVersion, CancellationToken cancellationToken)
    {
        try
        {
            using var request = CreateRequest(HttpMethod.Delete, target, null, sessionId, protocolVersion);
            using var response = await clients.For(target.Tls).SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            // Best effort: an unreachable target cannot be told, and its session will expire on its own.
        }
    }

    private static HttpRequestMessage CreateRequest(HttpMethod method, McpTarget target, ICallerCredentials? caller, string? sessionId, string? protocolVersion)
    {
        var transport = target.StreamableHttp ?? throw new UpstreamException($"target '{target.Name}' is not reached over Streamable HTTP");
        var request = new BackendRequestContext(target.Auth, caller, target.Tls).Apply(new HttpRequestMessage(method, transport.Url));
        foreach (var (name, value) in transport.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (sessionId is not null)
        {
            request.Headers.TryAddWithoutValidation(McpHeaders.SessionId, sessionId);
        }

        if (protocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation(McpHeaders.ProtocolVersion, protocolVersion);
        }

        return request;
    }

    private async Task<UpstreamResponse> SendAsync(
        McpTarget target, HttpRequestMessage request, string? sessionId, CancellationToken cancellationToken, bool allowMethodNotAllowed = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await clients.For(target.Tls).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new UpstreamException(exception.Message, exception);
        }

        return await ReadResponseAsync(response, sessionId, cancellationToken, allowMethodNotAllowed);
    }

    /// <summary>The target's answer, or the failure it is: a forgotten session, a JSON-RPC error in an HTTP error, another status.</summary>
    private async Task<UpstreamResponse> ReadResponseAsync(
        HttpResponseMessage response, string? sessionId, CancellationToken cancellationToken, bool allowMethodNotAllowed = false)
    {
        if (response.IsSuccessStatusCode || (allowMethodNotAllowed && response.StatusCode == HttpStatusCode.MethodNotAllowed))
        {
            return new UpstreamResponse(response, limits.Value.MaxUpstreamMessageBytes);
        }

        if (response.Content.Headers.ContentType?.MediaType?.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
            && !(response.StatusCode == HttpStatusCode.NotFound && sessionId is not null))
        {
            // A JSON-RPC error streamed with an error status (the stateless revision's 400s and 404s): the answer is in the stream.
            return new UpstreamResponse(response, limits.Value.MaxUpstreamMessageBytes);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound && sessionId is not null)
            {
                throw new UpstreamSessionExpiredException();
            }

            // A JSON-RPC error in an HTTP error (e.g. 400 for a malformed request) is the target's answer: pass it on.
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var body = await ReadAsync(response.Content, limits.Value.MaxUpstreamMessageBytes, cancellationToken);
                if (TryParse(body) is { } message && message.ContainsKey("error"))
                {
                    // Many servers built on the TypeScript SDK answer a session they no longer know with 400 and an
                    // id-less error about the session instead of 404: that is an expired session too.
                    if (response.StatusCode == HttpStatusCode.BadRequest && sessionId is not null && message["id"] is null
                        && message["error"]?["message"]?.ToString().Contains("session", StringComparison.OrdinalIgnoreCase) == true)
                    {
                        throw new UpstreamSessionExpiredException();
                    }

                    return new UpstreamResponse(message);
                }
            }

            throw new UpstreamException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>A target's JSON answer, whole but bounded: a larger one is the target's failure.</summary>
    internal static async Task<byte[]> ReadAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedBody.ReadBytesAsync(content, limit, "the target's answer", LimitMetrics.UpstreamMessage, cancellationToken);
        }
        catch (MessageTooLargeException exception)
        {
            throw new UpstreamException(exception.Message, exception);
        }
    }

    internal static JsonObject? TryParse(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A target's answer: nothing (202), one JSON message, or an SSE stream of messages.</summary>
internal sealed class UpstreamResponse : IDisposable
{
    private readonly HttpResponseMessage? _response;
    private readonly JsonObject? _message;
    private readonly long _limit;

    /// <param name="limit">The most one message of the answer may take (<see cref="GatewayLimitsOptions.MaxUpstreamMessageBytes"/>).</param>
    public UpstreamResponse(HttpResponseMessage response, long limit)
    {
        _response = response;
        _limit = limit;
        SessionId = response.Headers.TryGetValues(McpHeaders.SessionId, out var values) ? values.FirstOrDefault() : null;
    }

    public UpstreamResponse(JsonObject message) => _message = message;

    public HttpStatusCode StatusCode => _response?.StatusCode ?? HttpStatusCode.BadRequest;

    /// <summary>Whether the target answers with an SSE stream.</summary>
    public bool IsEventStream => _response?.Content.Headers.ContentType?.MediaType?.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The <c>Mcp-Session-Id</c> the target assigned (on initialize).</summary>
    public string? SessionId { get; }

    public async IAsyncEnumerable<UpstreamEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_message is not null)
        {
            yield return new UpstreamEvent(_message, null, null);
            yield break;
        }

        var content = _response!.Content;
        var mediaType = content.Headers.ContentType?.MediaType;
        if (_response.StatusCode == HttpStatusCode.Accepted || mediaType is null)
        {
            yield break;
        }

        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            var body = await StreamableHttpUpstream.ReadAsync(content, _limit, cancellationToken);
            yield return new UpstreamEvent(
                StreamableHttpUpstream.TryParse(body) ?? throw new UpstreamException("the target answered with JSON that is not a JSON-RPC message"),
                null,
                null);
            yield break;
        }

        if (!mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw new UpstreamException($"the target answered with unexpected content type '{mediaType}'");
        }

        var stream = new SseEventLimit(await content.ReadAsStreamAsync(cancellationToken), _limit, "an event of the target's stream");
        var parser = SseParser.Create(stream, static (_, data) => data.ToArray());
        await using var events = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await events.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (MessageTooLargeException exception)
            {
                // The target broke the stream's bound: its failure, reported as such, never the proxy's memory.
                throw new UpstreamException(exception.Message, exception);
            }
            catch (IOException exception)
            {
                // The stream broke (the target died, the connection reset): the target's failure, for whoever reads it.
                throw new UpstreamException($"its stream broke: {exception.Message}", exception);
            }

            var item = events.Current;
            if (item.EventType == SseParser.EventTypeDefault)
            {
                yield return new UpstreamEvent(StreamableHttpUpstream.TryParse(item.Data), item.EventId, item.ReconnectionInterval);
            }
        }
    }

    public void Dispose() => _response?.Dispose();
}
