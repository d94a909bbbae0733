using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.ConformanceServer.Mcp.Versioning;

/// <summary>
/// With <c>Conformance:StatelessOnly</c> set, the fixture behaves as a server of the 2026-07-28 revision only:
/// <c>initialize</c> is an unknown method (404, -32601) and there is no GET stream or session to delete (405). Gateways
/// test against it that they bring clients of the session revisions to such a server.
/// </summary>
internal sealed class StatelessOnlyMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        request.EnableBuffering();
        JsonNode? body = null;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            // Not JSON: the SDK answers it.
        }

        request.Body.Position = 0;
        if (body is JsonObject message && message["method"]?.GetValueKind() == JsonValueKind.String && message["method"]!.GetValue<string>() == "initialize")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = message["id"]?.DeepClone(),
                ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Method 'initialize' does not exist: this server speaks only 2026-07-28." },
            }, context.RequestAborted);
            return;
        }

        await next(context);
    }
}
