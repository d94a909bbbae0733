using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.Protocol;

namespace AgentGateway.Proxy.Mcp;

/// <summary>
/// The Streamable HTTP transport of an MCP route (the stateful protocol era): POST carries JSON-RPC messages,
/// GET opens the server-to-client stream, DELETE ends the session. Answers are JSON, or a one-event SSE stream for
/// clients that accept only <c>text/event-stream</c>. Every protocol error is a JSON-RPC error.
/// </summary>
internal sealed partial class McpEndpointHandler(
    SnapshotStore snapshots,
    McpSessionStore sessions,
    McpFederation federation,
    IOptions<McpGatewayOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<McpEndpointHandler> logger)
{
    public const string SessionIdHeader = "Mcp-Session-Id";
    public const string ProtocolVersionHeader = "MCP-Protocol-Version";

    private static readonly byte[] s_keepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (snapshots.Current?.RoutesByPath.GetValueOrDefault(path) is not { BackendCase: Route.BackendOneofCase.Mcp } route)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var routeKey = $"{route.Tenant}/{route.Name}";
        switch (context.Request.Method)
        {
            case "POST":
                await HandlePostAsync(context, route, routeKey);
                break;
            case "GET":
                await HandleGetAsync(context, routeKey);
                break;
            case "DELETE":
                await HandleDeleteAsync(context, routeKey);
                break;
            default:
                context.Response.Headers.Allow = "GET, POST, DELETE";
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                break;
        }
    }

    private async Task HandlePostAsync(HttpContext context, Route route, string routeKey)
    {
        var request = context.Request;
        if (!AcceptsJsonOrEventStream(request))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, null, JsonRpcErrorCodes.InvalidRequest,
                "The Accept header must include application/json and text/event-stream.");
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, null, JsonRpcErrorCodes.InvalidRequest,
                "The request body must be JSON-RPC with Content-Type application/json.");
            return;
        }

        if (request.ContentLength > options.Value.MaxRequestBodySize)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, null, JsonRpcErrorCodes.InvalidRequest,
                $"The request body exceeds {options.Value.MaxRequestBodySize} bytes.");
            return;
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException exception)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.ParseError, $"Parse error: {exception.Message}");
            return;
        }

        if (body is JsonArray)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                "JSON-RPC batches are not supported; send one message per request.");
            return;
        }

        if (body is not JsonObject message || message["jsonrpc"]?.GetValueKind() != JsonValueKind.String
            || message["jsonrpc"]!.GetValue<string>() != "2.0")
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, (body as JsonObject)?["id"], JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: a JSON-RPC 2.0 object with \"jsonrpc\": \"2.0\" is required.");
            return;
        }

        var id = message["id"];
        var method = message["method"]?.GetValueKind() == JsonValueKind.String ? message["method"]!.GetValue<string>() : null;
        var isRequest = method is not null && message.ContainsKey("id");
        if (isRequest && id?.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, null, JsonRpcErrorCodes.InvalidRequest,
                "Invalid request: id must be a string or a number.");
            return;
        }

        if (method == RequestMethods.Initialize && isRequest)
        {
            await InitializeAsync(context, route, routeKey, id, message["params"] as JsonObject);
            return;
        }

        var session = await GetSessionAsync(context, routeKey, id);
        if (session is null)
        {
            return;
        }

        if (!isRequest)
        {
            if (method is null && !message.ContainsKey("result") && !message.ContainsKey("error"))
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                    "Invalid request: a message needs a method (request or notification) or a result or error (response).");
                return;
            }

            // Notifications and responses are accepted; none needs forwarding in this protocol subset.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        JsonObject reply;
        try
        {
            var parameters = message["params"] as JsonObject ?? [];
            var result = method switch
            {
                RequestMethods.Ping => new JsonObject(),
                RequestMethods.ToolsList => await federation.ListToolsAsync(session, route.Mcp, context.RequestAborted),
                RequestMethods.ToolsCall => await federation.CallToolAsync(session, route.Mcp, parameters, context.RequestAborted),
                _ => throw new McpGatewayException(JsonRpcErrorCodes.MethodNotFound, $"Method not found: '{method}'."),
            };
            reply = JsonRpcMessages.Result(id, result);
        }
        catch (McpGatewayException exception)
        {
            LogRequestFailed(logger, routeKey, method!, exception.Message);
            reply = JsonRpcMessages.Error(id, exception.Code, exception.Message);
        }

        await WriteMessageAsync(context, StatusCodes.Status200OK, reply);
    }

    private async Task InitializeAsync(HttpContext context, Route route, string routeKey, JsonNode? id, JsonObject? parameters)
    {
        var requested = parameters?["protocolVersion"]?.GetValueKind() == JsonValueKind.String
            ? parameters["protocolVersion"]!.GetValue<string>()
            : null;
        var version = McpProtocolVersions.Negotiate(requested);
        var session = sessions.Create(routeKey, version);
        LogSessionOpened(logger, routeKey, version, route.Mcp.Targets.Count);

        var result = new JsonObject
        {
            ["protocolVersion"] = version,
            ["capabilities"] = new JsonObject { ["tools"] = new JsonObject { ["listChanged"] = false } },
            ["serverInfo"] = new JsonObject
            {
                ["name"] = "agentgateway",
                ["title"] = "AgentGateway",
                ["version"] = typeof(McpEndpointHandler).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
            },
            ["instructions"] = $"Tools of route '{routeKey}', federated from: {string.Join(", ", route.Mcp.Targets.Select(target => target.Name))}.",
        };
        context.Response.Headers[SessionIdHeader] = session.Id;
        await WriteMessageAsync(context, StatusCodes.Status200OK, JsonRpcMessages.Result(id, result));
    }

    private async Task HandleGetAsync(HttpContext context, string routeKey)
    {
        if (!context.Request.GetTypedHeaders().Accept.Any(value => value.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            return;
        }

        var session = await GetSessionAsync(context, routeKey, null);
        if (session is null)
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Closed, lifetime.ApplicationStopping);
        try
        {
            await context.Response.Body.FlushAsync(stream.Token);
            using var timer = new PeriodicTimer(options.Value.StreamKeepAliveInterval);
            while (await timer.WaitForNextTickAsync(stream.Token))
            {
                session.Touch();
                await context.Response.Body.WriteAsync(s_keepAlive, stream.Token);
                await context.Response.Body.FlushAsync(stream.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the session ended: the stream simply closes.
        }
    }

    private async Task HandleDeleteAsync(HttpContext context, string routeKey)
    {
        var session = await GetSessionAsync(context, routeKey, null);
        if (session is null)
        {
            return;
        }

        await sessions.CloseAsync(session.Id);
        LogSessionClosed(logger, routeKey);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>The session named by the request, or null after answering 400 (no id) or 404 (unknown or ended).</summary>
    private async Task<McpGatewaySession?> GetSessionAsync(HttpContext context, string routeKey, JsonNode? id)
    {
        var sessionId = context.Request.Headers[SessionIdHeader].ToString();
        if (string.IsNullOrEmpty(sessionId))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"The {SessionIdHeader} header is required; send initialize first to open a session.");
            return null;
        }

        if (!sessions.TryGet(sessionId, out var session) || session.RouteKey != routeKey)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, id, JsonRpcErrorCodes.SessionNotFound,
                "Session not found: it has ended or expired; send initialize to open a new one.");
            return null;
        }

        var version = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (version.Length > 0 && !McpProtocolVersions.IsSupported(version))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, id, JsonRpcErrorCodes.InvalidRequest,
                $"Unsupported {ProtocolVersionHeader} '{version}'; supported: {string.Join(", ", McpProtocolVersions.Supported)}.");
            return null;
        }

        session.Touch();
        return session;
    }

    private static bool AcceptsJsonOrEventStream(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Count == 0 || accept.Any(value =>
            value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || value.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || value.MediaType.Equals("*/*", StringComparison.Ordinal));
    }

    private static Task WriteErrorAsync(HttpContext context, int statusCode, JsonNode? id, int code, string message) =>
        WriteMessageAsync(context, statusCode, JsonRpcMessages.Error(id, code, message));

    private static async Task WriteMessageAsync(HttpContext context, int statusCode, JsonObject message)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        var accept = context.Request.GetTypedHeaders().Accept;
        var wantsEventStream = accept.Count > 0 && !accept.Any(value =>
            value.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || value.MediaType.Equals("*/*", StringComparison.Ordinal));
        if (wantsEventStream && statusCode == StatusCodes.Status200OK)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache, no-transform";
            await response.WriteAsync("event: message\ndata: " + message.ToJsonString(JsonRpcMessages.SerializerOptions) + "\n\n", context.RequestAborted);
            return;
        }

        response.ContentType = "application/json";
        await response.WriteAsync(message.ToJsonString(JsonRpcMessages.SerializerOptions), context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session opened (protocol {Version}, {TargetCount} targets)")]
    private static partial void LogSessionOpened(ILogger logger, string route, string version, int targetCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: MCP session closed by the client")]
    private static partial void LogSessionClosed(ILogger logger, string route);

    [LoggerMessage(Level = LogLevel.Information, Message = "Route {Route}: {Method} answered with an error: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string route, string method, string reason);
}
