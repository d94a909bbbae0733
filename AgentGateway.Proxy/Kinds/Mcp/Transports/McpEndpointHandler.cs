using System.Diagnostics;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The Streamable HTTP transport of an MCP route (the stateful protocol era): POST carries JSON-RPC messages,
/// GET opens the server-to-client stream (or resumes one with <c>Last-Event-ID</c>), DELETE ends the session.
/// The session id is sealed state (see <see cref="McpSessionTokens"/>), so any replica serves any session.
/// Every protocol error is a JSON-RPC error.
/// </summary>
internal sealed partial class McpEndpointHandler(
    McpSessionTokens tokens,
    LocalSessions localSessions,
    McpUpstreams upstreams,
    McpFederation federation,
    McpOriginGuard originGuard,
    IOptions<McpGatewayOptions> options,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<McpEndpointHandler> logger) : IRouteKind
{
    public Route.BackendOneofCase Backend => Route.BackendOneofCase.Mcp;

    /// <summary>A browser origin the route does not accept is refused before anything else (DNS rebinding).</summary>
    public ValueTask<bool> AnswerBeforePoliciesAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (originGuard.Check(context.Request, request.Runtime.Policies.Traffic.Cors) is not { } refusal)
        {
            return ValueTask.FromResult(false);
        }

        return new ValueTask<bool>(RefuseOriginAsync(context, refusal));
    }

    /// <summary>Answers a request the route's policies refused: the HTTP status and challenge, with a JSON-RPC error.</summary>
    public Task RefuseAsync(HttpContext context, RouteRequest request, PolicyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        foreach (var (name, value) in refusal.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        var code = refusal.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => JsonRpcErrorCodes.Unauthenticated,
            StatusCodes.Status429TooManyRequests => JsonRpcErrorCodes.RateLimited,
            _ => JsonRpcErrorCodes.Forbidden,
        };
        return WriteErrorAsync(context, refusal.StatusCode, null, code, refusal.Message);
    }

    /// <summary>Serves a request the route's policies let through, in the transport and revision it speaks.</summary>
    public async Task ServeAsync(HttpContext context, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (route, legacySuffix) = (request.Route, request.Match.LegacySuffix);
        var scope = request.Allowed;

        // The client's request is not copied to MCP servers: the route's header changes go on the gateway's own.
        scope = scope.WithRequestHeaderChanges();

        if (legacySuffix is not null)
        {
            await HandleLegacyAsync(context, route, legacySuffix, scope);
            return;
        }

        if (context.Request.Method is "GET" or "DELETE" && context.Request.Headers[McpHeaders.SessionId].Count == 0
            && McpProtocolVersions.IsStateless(context.Request.Headers[McpHeaders.ProtocolVersion].ToString()))
        {
            // The stateless revision has no GET stream and no session to delete.
            context.Response.Headers.Allow = "POST";
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        switch (context.Request.Method)
        {
            case "POST":
                await HandlePostAsync(context, route, scope);
                break;
            case "GET":
                await HandleGetAsync(context, route, scope);
                break;
            case "DELETE":
                await HandleDeleteAsync(context, route, scope);
                break;
            default:
                context.Response.Headers.Allow = "GET, POST, DELETE";
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                break;
        }
    }

    private static async Task<bool> RefuseOriginAsync(HttpContext context, string refusal)
    {
        await McpDownstream.WriteJsonAsync(context, StatusCodes.Status403Forbidden, JsonRpcMessages.Error(null, JsonRpcErrorCodes.InvalidRequest, refusal));
        return true;
    }

    /// <summary>Answers an operation that needs more scopes: 403 with an <c>insufficient_scope</c> challenge, or the error alone once the answer has begun.</summary>
    private static Task WriteStepUpAsync(HttpContext context, Route route, RequestScope scope, JsonNode? id, McpStepUpException stepUp, McpDownstream downstream)
    {
        var error = JsonRpcMessages.Error(id, JsonRpcErrorCodes.Forbidden, stepUp.Message);
        if (context.Response.HasStarted || scope.Policies.McpAuthentication is not { } authentication)
        {
            return downstream.CompleteAsync(error);
        }

        context.Response.Headers.WWWAuthenticate = ProtectedResourceMetadata.Challenge(
            context.Request, route, authentication, "insufficient_scope", stepUp.Message, [.. authentication.RequiredScopes.Union(stepUp.Scopes)]);
        return McpDownstream.WriteJsonAsync(context, StatusCodes.Status403Forbidden, error);
    }

    /// <summary>The request's view of a session: the route, sealed state and local state, served for the scope's caller.</summary>
    private McpSession CreateSession(Route route, McpSessionState state, LocalSession local, RequestScope scope, string method) =>
        new(route, state, local, TargetTimeout(route, scope.Policies))
        {
            Caller = scope.Caller,
            Policies = scope.Policies,
            RequestVariables = scope.Variables,
            Deadline = HttpMethods.IsPost(method) ? Deadline(scope.Policies) : null,
        };

    /// <summary>When a POST must be answered by: now plus the route's <c>timeouts.requestMs</c>, or null without one.</summary>
    private static long? Deadline(RoutePolicyRuntime policies) =>
        policies.Traffic.RequestTimeout is { } limit ? Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency) : null;

    private async Task HandlePostAsync(HttpContext context, Route route, RequestScope scope)
    {
        var request = context.Request;
        // The transport's rule: a client lists both, and the server picks per answer.
        var (acceptsJson, acceptsEventStream) = ReadAccept(request);
        if (!acceptsJson || !acceptsEventStream)
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, null, JsonRpcErrorCodes.InvalidRequest,
                "Not acceptable: the Accept header must list both application/json and text/event-stream.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, null, JsonRpcErrorCodes.InvalidRequest,
                "The request body must be JSON-RPC with Content-Type application/json.");
            return;
        }

        var (message, failure) = await ReadMessageAsync(context);
        if (failure is not null)
        {
            await failure;
            return;
        }

        var id = message!["id"];
        var method = JsonRpc.Method(message);
        var isRequest = method is not null && message.ContainsKey("id");
        if (IsStateless(request, message, method))
        {
            await HandleStatelessAsync(context, route, message, acceptsJson, acceptsEventStream, scope);
            return;
        }

        if (method == RequestMethods.Initialize && isRequest)
        {
            await InitializeAsync(context, route, id, message["params"] as JsonObject, acceptsJson, acceptsEventStream, scope);
            return;
        }

        var session = await GetSessionAsync(context, route, id, scope);
        if (session is null)
        {
            return;
        }

        if (!isRequest)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            if (method is not null)
            {
                await federation.HandleNotificationAsync(session, message, context.RequestAborted);
            }
            else if (!await federation.HandleResponseAsync(session, message, context.RequestAborted))
            {
                LogUnroutableResponse(logger, session.RouteKey, message["id"]?.ToJsonString() ?? "null");
            }

            return;
        }

        if (!session.Local.TryEnter(options.Value.MaxConcurrentRequestsPerSession))
        {
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, id, JsonRpcErrorCodes.TooManyRequests,
                $"The session already has {options.Value.MaxConcurrentRequestsPerSession} requests in flight; wait for one to finish.");
            return;
        }

        using var downstream = new McpDownstream(context, acceptsEventStream, acceptsJson);
        using var cancellation = session.Local.TrackRequest(id!, context.RequestAborted);
        try
        {
            var reply = await federation.HandleRequestAsync(session, message, downstream, cancellation.Token);
            await downstream.CompleteAsync(reply);
        }
        catch (UpstreamStreamPausedException paused)
        {
            // The target ended its stream early and will deliver the answer when the client resumes (Last-Event-ID).
            await downstream.PauseAsync(null, paused.Retry);
        }
        catch (McpStepUpException stepUp)
        {
            await WriteStepUpAsync(context, route, scope, id, stepUp, downstream);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client cancelled the request (notifications/cancelled): the upstream request was stopped with it.
            LogRequestCancelled(logger, session.RouteKey, id!.ToJsonString());
            await downstream.CompleteAsync(JsonRpcMessages.Error(id, JsonRpcErrorCodes.RequestCancelled, "The request was cancelled by the client."));
        }
        finally
        {
            session.Local.UntrackRequest(id!, cancellation);
            session.Local.Exit();
        }
    }

    private async Task<(JsonObject? Message, Task? Failure)> ReadMessageAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodySize;
        var bytes = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (bytes is null)
        {
            return (null, TooLarge());
        }

        var body = StrictJson.Parse(bytes, out var parseError);
        if (parseError is not null)
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.ParseError, parseError));
        }

        if (body is JsonArray)
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                "JSON-RPC batches are not supported; send one message per request."));
        }

        if (body is not JsonObject message || JsonRpc.GetString(message, "jsonrpc") != "2.0")
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpc.EchoableId(body as JsonObject), JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: a JSON-RPC 2.0 object with \"jsonrpc\": \"2.0\" is required."));
        }

        var hasMethod = message.ContainsKey("method");
        if (hasMethod && JsonRpc.Method(message) is null)
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpc.EchoableId(message), JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: method must be a string."));
        }

        if (message.ContainsKey("id") && message["id"]?.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number)
            && (hasMethod || message["id"] is not null))
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: id must be a string or a number."));
        }

        if (!hasMethod && !JsonRpc.IsResponse(message))
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpc.EchoableId(message), JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: a message needs a method (request or notification) or a result or error (response)."));
        }

        if (hasMethod && message["params"] is { } parameters && parameters.GetValueKind() != JsonValueKind.Object)
        {
            return (null, WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpc.EchoableId(message), JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: params must be an object."));
        }

        return (message, null);

        Task TooLarge() => WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, null, JsonRpcErrorCodes.InvalidRequest,
            $"The request body exceeds {limit} bytes.");
    }

    private async Task InitializeAsync(HttpContext context, Route route, JsonNode? id, JsonObject? parameters, bool acceptsJson, bool acceptsEventStream, RequestScope scope)
    {
        if (RefuseNewSession(route) is { } refusal)
        {
            context.Response.Headers.RetryAfter = "30";
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, id, JsonRpcErrorCodes.TooManyRequests, refusal);
            return;
        }

        var (session, result) = await OpenSessionAsync(route, parameters, scope, context.RequestAborted);
        context.Response.Headers[McpHeaders.SessionId] = tokens.Protect(session.State);
        using var downstream = new McpDownstream(context, acceptsEventStream, acceptsJson);
        await downstream.CompleteAsync(JsonRpcMessages.Result(id, result));
    }

    /// <summary>
    /// Opens a session for a client's initialize: every target is initialized now, in parallel, so its upstream
    /// session travels in the id; a target that fails is left out and tried again when it is first used.
    /// </summary>
    private async Task<(McpSession Session, JsonObject Result)> OpenSessionAsync(Route route, JsonObject? parameters, RequestScope scope, CancellationToken cancellationToken)
    {
        var requested = JsonRpc.GetString(parameters, "protocolVersion");
        var version = McpProtocolVersions.Negotiate(requested);
        var settings = options.Value;
        var state = new McpSessionState
        {
            Nonce = Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
            Route = RouteKey(route),
            ProtocolVersion = version,
            ExpiresAt = (timeProvider.GetUtcNow() + settings.SessionLifetime).ToUnixTimeSeconds(),
            ClientCapabilities = parameters?["capabilities"]?.DeepClone() as JsonObject,
            ClientInfo = parameters?["clientInfo"]?.DeepClone() as JsonObject,
            Principal = scope.Caller.Subject,
        };

        var session = CreateSession(route, state, localSessions.GetOrAdd(state), scope, HttpMethods.Post);
        var targets = route.Mcp.Targets;
        var results = await Task.WhenAll(targets.Select(async target =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.InitializeTimeout);
            try
            {
                return ((McpTargetSession Session, JsonObject Result)?)await upstreams.InitializeAsync(session, target, timeout.Token);
            }
            catch (Exception exception) when (exception is UpstreamException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogTargetInitializeFailed(logger, state.Route, target.Name, exception is OperationCanceledException ? "no answer in time" : exception.Message);
                return null;
            }
        }));

        var instructions = new List<string>();
        var features = ServerFeatures.Tools;
        for (var index = 0; index < targets.Count; index++)
        {
            if (results[index] is not { } initialized)
            {
                continue;
            }

            state.Targets[targets[index].Name] = initialized.Session;
            features |= initialized.Session.Features;
            if (JsonRpc.GetString(initialized.Result, "instructions") is { Length: > 0 } text)
            {
                instructions.Add(targets.Count == 1 ? text : $"[{targets[index].Name}] {text}");
            }
        }

        var result = new JsonObject
        {
            ["protocolVersion"] = version,
            ["capabilities"] = McpCapabilities.From(features),
            ["serverInfo"] = McpCapabilities.ServerInfo(),
        };
        if (instructions.Count > 0)
        {
            result["instructions"] = string.Join("\n\n", instructions);
        }

        LogSessionOpened(logger, state.Route, state.Nonce, version, state.Targets.Count, targets.Count);
        return (session, result);
    }

    private async Task HandleGetAsync(HttpContext context, Route route, RequestScope scope)
    {
        if (!ReadAccept(context.Request).EventStream)
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, null, JsonRpcErrorCodes.InvalidRequest,
                "The Accept header must include text/event-stream to open a stream.");
            return;
        }

        var session = await GetSessionAsync(context, route, null, scope);
        if (session is null)
        {
            return;
        }

        var lastEventId = context.Request.Headers[McpHeaders.LastEventId].ToString();
        McpTarget? resumed = null;
        string? upstreamEventId = null;
        if (lastEventId.Length > 0)
        {
            if (!McpRelayIds.TryParseEvent(lastEventId, out var targetName, out var eventId) || session.FindTarget(targetName) is not { } target)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                    $"Last-Event-ID '{lastEventId}' was not issued on this session.");
                return;
            }

            (resumed, upstreamEventId) = (target, eventId);
        }

        var listener = resumed is null ? session.Local.AddListener() : null;
        try
        {
            await StreamAsync(context, session.Local, null, (writer, token) => resumed is not null
                ? [PumpTargetAsync(session, resumed, upstreamEventId, resume: true, writer, token)]
                : [.. session.Backend.Targets.Select(target => PumpTargetAsync(session, target, null, resume: false, writer, token)),
                    PumpListenerAsync(listener!, static notification => notification, writer, token)]);
        }
        finally
        {
            if (listener is not null)
            {
                session.Local.RemoveListener(listener);
            }
        }
    }

    /// <summary>
    /// Serves an SSE stream fed by <paramref name="producers"/> (started once the stream is open, after
    /// <paramref name="opening"/> has written what goes first), with keep-alive comments while it is quiet, until the client leaves, every producer
    /// ends, or the proxy stops.
    /// </summary>
    private async Task StreamAsync(
        HttpContext context, LocalSession session, Func<CancellationToken, Task>? opening, Func<ChannelWriter<StreamItem>, CancellationToken, IReadOnlyList<Task>> producers)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var events = Channel.CreateBounded<StreamItem>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Task completion = Task.CompletedTask;
        try
        {
            McpSse.Start(context.Response);
            if (opening is not null)
            {
                await opening(stream.Token);
            }

            await context.Response.Body.FlushAsync(stream.Token);
            completion = Task.WhenAll(producers(events.Writer, stream.Token)).ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);
            var keepAlive = options.Value.StreamKeepAliveInterval;
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stream.Token);
                idle.CancelAfter(keepAlive);
                bool more;
                try
                {
                    more = await events.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!stream.IsCancellationRequested)
                {
                    session.Touch();
                    await McpSse.WriteKeepAliveAsync(context.Response, stream.Token);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (events.Reader.TryRead(out var item))
                {
                    session.Touch();
                    await McpSse.WriteEventAsync(context.Response, item.Message, item.EventId, item.Retry, stream.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, the session ended or the proxy is stopping: the stream simply closes.
        }
        finally
        {
            await stream.CancelAsync();
            await completion;
        }
    }

    /// <summary>Relays one target's GET stream, reconnecting (with its last event id) when the target ends it.</summary>
    private async Task PumpTargetAsync(
        McpSession session, McpTarget target, string? lastEventId, bool resume, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await upstreams.OpenStreamAsync(session, target, lastEventId, cancellationToken);
                if (response is null)
                {
                    return;
                }

                await foreach (var item in response.ReadEventsAsync(cancellationToken))
                {
                    lastEventId = item.EventId ?? lastEventId;
                    delay = item.Retry ?? delay;
                    var message = item.Message is null ? null : McpNaming.ToClient(session, target.Name, item.Message);
                    await writer.WriteAsync(new StreamItem(message, McpRelayIds.ForEvent(target.Name, item.EventId), item.Retry), cancellationToken);
                }

                if (resume)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is UpstreamException or HttpRequestException or IOException)
            {
                LogTargetStreamFailed(logger, session.RouteKey, target.Name, exception.Message);
                if (resume)
                {
                    return;
                }

                delay = TimeSpan.FromSeconds(Math.Min(Math.Max(delay.TotalSeconds * 2, 1), 30));
            }

            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Relays the gateway's own notifications for the session (those <paramref name="filter"/> keeps, as it shapes them).</summary>
    private static async Task PumpListenerAsync(
        Channel<JsonObject> listener, Func<JsonObject, JsonObject?> filter, ChannelWriter<StreamItem> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var notification in listener.Reader.ReadAllAsync(cancellationToken))
            {
                if (filter(notification) is { } kept)
                {
                    await writer.WriteAsync(new StreamItem(kept, null, null), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HandleDeleteAsync(HttpContext context, Route route, RequestScope scope)
    {
        var session = await GetSessionAsync(context, route, null, scope);
        if (session is null)
        {
            return;
        }

        localSessions.Close(session.State.Nonce, session.State.ExpiresAt);
        await upstreams.CloseAsync(session.State, session.Local, route, context.RequestAborted);
        LogSessionClosed(logger, session.RouteKey, session.State.Nonce);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The session named by the request, or null after answering 400 (no id) or 404 (unknown, foreign, tampered or ended).</summary>
    private async Task<McpSession?> GetSessionAsync(HttpContext context, Route route, JsonNode? id, RequestScope scope)
    {
        var sessionIds = context.Request.Headers[McpHeaders.SessionId];
        var sessionId = sessionIds.ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"The {McpHeaders.SessionId} header is required; send initialize first to open a session.");
            return null;
        }

        if (sessionIds.Count > 1 || !McpHeaders.IsWellFormedSessionId(sessionId))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"The {McpHeaders.SessionId} header must be one id of visible ASCII characters (at most {McpHeaders.MaxSessionIdLength}).");
            return null;
        }

        if (!tokens.TryUnprotect(sessionId, out var state) || state.Route != RouteKey(route) || localSessions.IsClosed(state.Nonce)
            || !string.Equals(state.Principal, scope.Caller.Subject, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, id, JsonRpcErrorCodes.SessionNotFound,
                "Session not found: it has ended or expired, or was not issued for this route or this caller; send initialize to open a new one.");
            return null;
        }

        var version = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (version.Length > 0 && !McpProtocolVersions.IsSupported(version))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"Unsupported {McpHeaders.ProtocolVersion} '{version}'; supported: {string.Join(", ", McpProtocolVersions.Supported)}.");
            return null;
        }

        var local = localSessions.GetOrAdd(state);
        local.Touch();
        return CreateSession(route, state, local, scope, context.Request.Method);
    }

    /// <summary>Why this replica opens no new session of the route now (its route's or tenant's sessions are at their bound), or null.</summary>
    private string? RefuseNewSession(Route route)
    {
        var settings = options.Value;
        if (localSessions.CountOfRoute(RouteKey(route)) >= settings.MaxSessionsPerRoute)
        {
            LimitMetrics.Exceeded(LimitMetrics.McpSessionsPerRoute);
            return $"The route holds {settings.MaxSessionsPerRoute} sessions on this gateway, its limit: close idle sessions (DELETE) or try again later.";
        }

        if (localSessions.CountOfTenant(route.Tenant) >= settings.MaxSessionsPerTenant)
        {
            LimitMetrics.Exceeded(LimitMetrics.McpSessionsPerTenant);
            return $"The tenant's routes hold {settings.MaxSessionsPerTenant} sessions on this gateway, its limit: close idle sessions (DELETE) or try again later.";
        }

        return null;
    }

    /// <summary>How long one target may take for one request: the route's own, else its <c>timeouts.backendRequestMs</c>, else the gateway's.</summary>
    private TimeSpan TargetTimeout(Route route, RoutePolicyRuntime policies) =>
        route.Mcp.TargetTimeoutMs > 0 ? TimeSpan.FromMilliseconds(route.Mcp.TargetTimeoutMs) : policies.Traffic.TryTimeout ?? options.Value.TargetTimeout;

    private static string RouteKey(Route route) => $"{route.Tenant}/{route.Name}";

    /// <summary>Which of the transport's media types the Accept header takes (wildcards count; an unreadable or missing header takes neither).</summary>
    private static (bool Json, bool EventStream) ReadAccept(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accept))
        {
            return (false, false);
        }

        bool json = false, eventStream = false;
        foreach (var value in accept)
        {
            if (value.Quality == 0)
            {
                continue;
            }

            var any = value.MediaType.Equals("*/*", StringComparison.Ordinal);
            json |= any || value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || value.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase);
            eventStream |= any || value.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) || value.MediaType.Equals("text/*", StringComparison.OrdinalIgnoreCase);
        }

        return (json, eventStream);
    }

    private static Task WriteErrorAsync(HttpContext context, int statusCode, JsonNode? id, int code, string message) =>
        McpDownstream.WriteJsonAsync(context, statusCode, JsonRpcMessages.Error(id, code, message));

    internal readonly record struct StreamItem(JsonObject? Message, string? EventId, TimeSpan? Retry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session {Session} opened (protocol {Version}, {Initialized} of {TargetCount} targets initialized)")]
    private static partial void LogSessionOpened(ILogger logger, string route, string session, string version, int initialized, int targetCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session {Session} closed by the client")]
    private static partial void LogSessionClosed(ILogger logger, string route, string session);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: target {Target} could not be initialized and is left out for now: {Reason}")]
    private static partial void LogTargetInitializeFailed(ILogger logger, string route, string target, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: target {Target}'s stream failed: {Reason}")]
    private static partial void LogTargetStreamFailed(ILogger logger, string route, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: request {Id} cancelled by the client")]
    private static partial void LogRequestCancelled(ILogger logger, string route, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: a response with id {Id} answers no request the gateway relayed")]
    private static partial void LogUnroutableResponse(ILogger logger, string route, string id);
}
