using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Proxy.Kinds.Mcp.Governance;
using AgentGateway.Proxy.Pipeline;
using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Protocols;
using AgentGateway.Proxy.Telemetry.AccessLog;
using Microsoft.Net.Http.Headers;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>What every transport of an MCP route reads from a client and answers it with: JSON-RPC over HTTP.</summary>
internal static class McpMessages
{
    /// <summary>
    /// The client's JSON-RPC message, read whole up to <paramref name="limit"/> bytes and checked strictly; or the
    /// answer already under way (413, a parse error, an invalid request) when there is none.
    /// </summary>
    public static async Task<(JsonObject? Message, Task? Failure)> ReadMessageAsync(HttpContext context, long limit)
    {
        ArgumentNullException.ThrowIfNull(context);
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

    /// <summary>Answers an operation that needs more scopes: 403 with an <c>insufficient_scope</c> challenge, or the error alone once the answer has begun.</summary>
    public static Task WriteStepUpAsync(HttpContext context, Route route, RequestScope scope, JsonNode? id, McpStepUpException stepUp, McpDownstream downstream)
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

    /// <summary>Which of the transport's media types the Accept header takes (wildcards count; an unreadable or missing header takes neither).</summary>
    public static (bool Json, bool EventStream) ReadAccept(HttpRequest request)
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

    /// <summary>Answers with one JSON-RPC error and its HTTP status.</summary>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, JsonNode? id, int code, string message) =>
        McpDownstream.WriteJsonAsync(context, statusCode, JsonRpcMessages.Error(id, code, message));

    /// <summary>Names the message's method and tool, prompt or resource in the request's access log line.</summary>
    public static void Record(HttpContext context, JsonObject message)
    {
        if (GatewayRequestRecord.Of(context) is { } record)
        {
            record.Operation = JsonRpc.Method(message) ?? (JsonRpc.IsResponse(message) ? "response" : null);
            record.Target = McpHeaders.NameOf(message);
        }
    }
}
