using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Writes the gateway's refusals in the caller's binding: a JSON-RPC error response (with the request's id) on the
/// JSON-RPC binding; on the HTTP+JSON binding an RFC 7807 problem that also carries A2A's <c>error</c> object
/// (<c>code</c>, <c>status</c>, <c>message</c>), which the binding's clients read.
/// </summary>
internal static class A2aErrorWriter
{
    public static Task WriteAsync(HttpContext context, string binding, JsonNode? id, A2aError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        JsonObject body;
        if (binding == A2aVersions.JsonRpc)
        {
            response.ContentType = "application/json";
            body = new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id?.DeepClone(),
                ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message },
            };
        }
        else
        {
            response.ContentType = "application/problem+json";
            body = new JsonObject
            {
                ["type"] = "about:blank",
                ["title"] = Title(error.StatusCode),
                ["status"] = error.StatusCode,
                ["detail"] = error.Message,
                ["error"] = new JsonObject { ["code"] = error.StatusCode, ["status"] = Status(error.StatusCode), ["message"] = error.Message },
            };
        }

        return response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Web), context.RequestAborted);
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status502BadGateway => "Bad gateway",
        StatusCodes.Status504GatewayTimeout => "Gateway timeout",
        _ => "Error",
    };

    /// <summary>The google.rpc status name of an HTTP status (A2A's HTTP+JSON error body).</summary>
    private static string Status(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge => "INVALID_ARGUMENT",
        StatusCodes.Status401Unauthorized => "UNAUTHENTICATED",
        StatusCodes.Status403Forbidden => "PERMISSION_DENIED",
        StatusCodes.Status404NotFound => "NOT_FOUND",
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable => "UNAVAILABLE",
        StatusCodes.Status504GatewayTimeout => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    };
}
