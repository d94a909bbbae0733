using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Kinds.Mcp.Federation;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Kinds.Mcp.Sessions;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Protocols;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// The Streamable HTTP transport of an MCP route (the stateful protocol era): POST carries JSON-RPC messages,
/// GET opens the server-to-client stream (or resumes one with <c>Last-Event-ID</c>), DELETE ends the session.
/// The session id is sealed state (see <see cref="McpSessionTokens"/>), so any replica serves any session. A POST of
/// the stateless revision goes to <see cref="StatelessEndpoint"/>. Every protocol error is a JSON-RPC error.
/// </summary>
internal sealed partial class StreamableHttpEndpoint(
    McpRequestSessions sessions,
    McpStreams streams,
    StatelessEndpoint stateless,
    LocalSessions localSessions,
    McpUpstreams upstreams,
    McpFederation federation,
    McpSessionTokens tokens,
    IOptions<McpGatewayOptions> options,
    ILogger<StreamableHttpEndpoint> logger)
{
    /// <summary>Serves a POST, GET or DELETE of the route's endpoint.</summary>
    public async Task HandleAsync(HttpContext context, Route route, RequestScope scope)
    {
        ArgumentNullException.ThrowIfNull(context);
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

    private async Task HandlePostAsync(HttpContext context, Route route, RequestScope scope)
    {
        var request = context.Request;
        // The transport's rule: a client lists both, and the server picks per answer.
        var (acceptsJson, acceptsEventStream) = McpMessages.ReadAccept(request);
        if (!acceptsJson || !acceptsEventStream)
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, null, JsonRpcErrorCodes.InvalidRequest,
                "Not acceptable: the Accept header must list both application/json and text/event-stream.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, null, JsonRpcErrorCodes.InvalidRequest,
                "The request body must be JSON-RPC with Content-Type application/json.");
            return;
        }

        var (message, failure) = await McpMessages.ReadMessageAsync(context, options.Value.MaxRequestBodySize);
        if (failure is not null)
        {
            await failure;
            return;
        }

        McpMessages.Record(context, message!);
        var id = message!["id"];
        var method = JsonRpc.Method(message);
        var isRequest = method is not null && message.ContainsKey("id");
        if (StatelessEndpoint.IsStateless(request, message, method))
        {
            await stateless.HandleAsync(context, route, message, acceptsJson, acceptsEventStream, scope);
            return;
        }

        if (method == RequestMethods.Initialize && isRequest)
        {
            await InitializeAsync(context, route, id, message["params"] as JsonObject, acceptsJson, acceptsEventStream, scope);
            return;
        }

        var session = await sessions.GetSessionAsync(context, route, id, scope);
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
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, id, JsonRpcErrorCodes.TooManyRequests,
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
            await McpMessages.WriteStepUpAsync(context, route, scope, id, stepUp, downstream);
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

    private async Task InitializeAsync(HttpContext context, Route route, JsonNode? id, JsonObject? parameters, bool acceptsJson, bool acceptsEventStream, RequestScope scope)
    {
        if (sessions.RefuseNewSession(route) is { } refusal)
        {
            context.Response.Headers.RetryAfter = "30";
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, id, JsonRpcErrorCodes.TooManyRequests, refusal);
            return;
        }

        var (session, result) = await sessions.OpenSessionAsync(route, parameters, scope, context.RequestAborted);
        context.Response.Headers[McpHeaders.SessionId] = tokens.Protect(session.State);
        using var downstream = new McpDownstream(context, acceptsEventStream, acceptsJson);
        await downstream.CompleteAsync(JsonRpcMessages.Result(id, result));
    }

    private async Task HandleGetAsync(HttpContext context, Route route, RequestScope scope)
    {
        if (!McpMessages.ReadAccept(context.Request).EventStream)
        {
            await McpMessages.WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, null, JsonRpcErrorCodes.InvalidRequest,
                "The Accept header must include text/event-stream to open a stream.");
            return;
        }

        var session = await sessions.GetSessionAsync(context, route, null, scope);
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
                await McpMessages.WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                    $"Last-Event-ID '{lastEventId}' was not issued on this session.");
                return;
            }

            (resumed, upstreamEventId) = (target, eventId);
        }

        var listener = resumed is null ? session.Local.AddListener() : null;
        try
        {
            await streams.StreamAsync(context, session.Local, null, (writer, token) => resumed is not null
                ? [streams.PumpTargetAsync(session, resumed, upstreamEventId, resume: true, writer, token)]
                : [.. session.Backend.Targets.Select(target => streams.PumpTargetAsync(session, target, null, resume: false, writer, token)),
                    McpStreams.PumpListenerAsync(listener!, static notification => notification, writer, token)]);
        }
        finally
        {
            if (listener is not null)
            {
                session.Local.RemoveListener(listener);
            }
        }
    }

    private async Task HandleDeleteAsync(HttpContext context, Route route, RequestScope scope)
    {
        var session = await sessions.GetSessionAsync(context, route, null, scope);
        if (session is null)
        {
            return;
        }

        localSessions.Close(session.State, "client");
        await upstreams.CloseAsync(session.State, session.Local, route, context.RequestAborted);
        LogSessionClosed(logger, session.RouteKey, session.State.Nonce);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session {Session} closed by the client")]
    private static partial void LogSessionClosed(ILogger logger, string route, string session);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: request {Id} cancelled by the client")]
    private static partial void LogRequestCancelled(ILogger logger, string route, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: a response with id {Id} answers no request the gateway relayed")]
    private static partial void LogUnroutableResponse(ILogger logger, string route, string id);
}
