using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Draining;
using AgentGateway.Proxy.Pipeline.Routing;
using AgentGateway.Proxy.Protocols;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The legacy HTTP+SSE transport (2024-11-05) for old clients, beside each MCP route: <c>GET {route}/sse</c> opens the
/// event stream, whose first event names the message endpoint (<c>{route}/message?sessionId=…</c>); every answer and
/// every message from the targets goes down that stream. The stream ties the session to the replica that holds it.
/// </summary>
internal sealed class LegacySseEndpoint(
    McpRequestSessions sessions,
    McpStreams streams,
    LocalSessions localSessions,
    McpUpstreams upstreams,
    McpFederation federation,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    ProxyDrain drain)
{
    private const string LegacyStreamSuffix = RouteTable.LegacyStreamSuffix;
    private const string LegacyMessageSuffix = RouteTable.LegacyMessageSuffix;

    private readonly ConcurrentDictionary<string, LegacyConnection> _legacyConnections = new(StringComparer.Ordinal);

    /// <summary>Serves the legacy transport's two endpoints (the route's path with <paramref name="suffix"/>).</summary>
    public async Task HandleAsync(HttpContext context, Route route, string suffix, RequestScope scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (suffix == LegacyStreamSuffix && context.Request.Method == "GET")
        {
            await LegacyStreamAsync(context, route, scope);
        }
        else if (suffix == LegacyMessageSuffix && context.Request.Method == "POST")
        {
            await LegacyMessageAsync(context, route, scope);
        }
        else
        {
            context.Response.Headers.Allow = suffix == LegacyStreamSuffix ? "GET" : "POST";
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        }
    }

    private async Task LegacyStreamAsync(HttpContext context, Route route, RequestScope scope)
    {
        var id = Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        using var connection = new LegacyConnection(route.Match.Path, scope, drain.StreamsEnded);
        _legacyConnections[id] = connection;
        var placeholder = new LocalSession(new McpSessionState { Nonce = id, Route = McpRequestSessions.RouteKey(route), ProtocolVersion = "2024-11-05" }, timeProvider);
        try
        {
            var endpoint = $"{context.Request.PathBase}{route.Match.Path}{LegacyMessageSuffix}?sessionId={id}";
            await streams.StreamAsync(context, placeholder, token => McpSse.WriteRawEventAsync(context.Response, "endpoint", endpoint, token), (writer, token) =>
                [PumpLegacyOutboxAsync(connection, writer, token)]);
        }
        finally
        {
            _legacyConnections.TryRemove(id, out _);
            await connection.CloseAsync();
            if (connection.Session is { } session)
            {
                // The stream was the session: its upstream sessions and processes end with it.
                localSessions.Close(session.State, "stream");
                await upstreams.CloseAsync(session.State, session.Local, route, CancellationToken.None);
            }
        }
    }

    private static async Task PumpLegacyOutboxAsync(LegacyConnection connection, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in connection.Outbox.Reader.ReadAllAsync(cancellationToken))
            {
                // The legacy transport has no resumption: event ids are not passed on.
                await writer.WriteAsync(item with { EventId = null }, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LegacyMessageAsync(HttpContext context, Route route, RequestScope scope)
    {
        if (!_legacyConnections.TryGetValue(context.Request.Query["sessionId"].ToString(), out var connection) || connection.RoutePath != route.Match.Path
            || !string.Equals(connection.Scope.Caller.Subject, scope.Caller.Subject, StringComparison.Ordinal))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status404NotFound, null, JsonRpcErrorCodes.SessionNotFound,
                "Session not found: open the event stream (GET .../sse) and post to the endpoint it names.");
            return;
        }

        var (message, failure) = await McpMessages.ReadMessageAsync(context, options.Value.MaxRequestBodySize);
        if (failure is not null)
        {
            await failure;
            return;
        }

        McpMessages.Record(context, message!);

        // The answer goes down the event stream; the POST only says the message was taken.
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        _ = Task.Run(() => ProcessLegacyAsync(connection, route, message!), CancellationToken.None);
    }

    private async Task ProcessLegacyAsync(LegacyConnection connection, Route route, JsonObject message)
    {
        var cancellationToken = connection.Closing;
        var id = message["id"];
        var method = JsonRpc.Method(message);
        try
        {
            if (method == RequestMethods.Initialize && message.ContainsKey("id") && sessions.RefuseNewSession(route) is { } refusal)
            {
                await connection.Outbox.Writer.WriteAsync(new StreamItem(JsonRpcMessages.Error(id, JsonRpcErrorCodes.TooManyRequests, refusal), null, null), cancellationToken);
                return;
            }

            if (method == RequestMethods.Initialize && message.ContainsKey("id"))
            {
                var (opened, result) = await sessions.OpenSessionAsync(route, message["params"] as JsonObject, connection.Scope, cancellationToken);
                connection.Session = opened;
                await connection.Outbox.Writer.WriteAsync(new StreamItem(JsonRpcMessages.Result(id, result), null, null), cancellationToken);

                // What targets send outside any request (list changes, resource updates) joins the stream too.
                foreach (var target in route.Mcp.Targets)
                {
                    connection.Track(streams.PumpTargetAsync(opened, target, null, resume: false, connection.Outbox.Writer, cancellationToken));
                }

                var listener = opened.Local.AddListener();
                connection.Track(McpStreams.PumpListenerAsync(listener, static notification => notification, connection.Outbox.Writer, cancellationToken));
                return;
            }

            if (connection.Session is not { } session)
            {
                if (message.ContainsKey("id") && method is not null)
                {
                    await connection.Outbox.Writer.WriteAsync(new StreamItem(
                        JsonRpcMessages.Error(id, JsonRpcErrorCodes.InvalidRequest, "Send initialize first to open the session."), null, null), cancellationToken);
                }

                return;
            }

            session.Local.Touch();
            if (method is null)
            {
                await federation.HandleResponseAsync(session, message, cancellationToken);
            }
            else if (!message.ContainsKey("id"))
            {
                await federation.HandleNotificationAsync(session, message, cancellationToken);
            }
            else
            {
                JsonObject reply;
                try
                {
                    reply = await federation.HandleRequestAsync(session, message, new LegacyDownstream(connection.Outbox.Writer), cancellationToken);
                }
                catch (UpstreamStreamPausedException)
                {
                    reply = JsonRpcMessages.Error(id, JsonRpcErrorCodes.TargetUnavailable, "The target ended its stream without an answer; send the request again.");
                }
                catch (McpStepUpException stepUp)
                {
                    reply = JsonRpcMessages.Error(id, JsonRpcErrorCodes.Forbidden, stepUp.Message);
                }

                await connection.Outbox.Writer.WriteAsync(new StreamItem(reply, null, null), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client closed the stream; nothing can reach it any more.
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>One legacy client: its event stream's outbox and, after initialize, its session.</summary>
    private sealed class LegacyConnection(string routePath, RequestScope scope, CancellationToken stopping) : IDisposable
    {
        private readonly CancellationTokenSource _closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        private readonly ConcurrentBag<Task> _pumps = [];

        public string RoutePath { get; } = routePath;

        /// <summary>The caller that opened the stream; every message must come from it.</summary>
        public RequestScope Scope { get; } = scope;

        public Channel<StreamItem> Outbox { get; } = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait });

        public McpSession? Session { get; set; }

        public CancellationToken Closing => _closing.Token;

        public void Track(Task pump) => _pumps.Add(pump);

        public async Task CloseAsync()
        {
            await _closing.CancelAsync();
            Outbox.Writer.TryComplete();
            await Task.WhenAll(_pumps);
        }

        public void Dispose() => _closing.Dispose();
    }

    /// <summary>A request's messages on the legacy transport: they all go down the one event stream.</summary>
    private sealed class LegacyDownstream(ChannelWriter<StreamItem> outbox) : IMcpDownstream
    {
        public ValueTask SendAsync(JsonObject? message, string? eventId, TimeSpan? retry) =>
            message is null ? ValueTask.CompletedTask : outbox.WriteAsync(new StreamItem(message, null, null));

        public void PreferStream()
        {
        }
    }
}
