using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Writes the gateway's refusals in the caller's binding and protocol version. To a v1.0 client (its
/// <c>A2A-Version</c>, else the version its method or path belongs to) as v1.0 maps errors: a JSON-RPC error whose
/// <c>data</c> is a list of details, or on the HTTP+JSON binding a <c>google.rpc.Status</c> body
/// (<c>{"error": {code, status, message, details}}</c>); either way with a <c>google.rpc.ErrorInfo</c> detail naming
/// the reason in the gateway's domain. To a v0.3 client: a JSON-RPC error response, or an RFC 7807 problem that also
/// carries the <c>error</c> object (<c>code</c>, <c>status</c>, <c>message</c>), which that binding's clients read.
/// </summary>
internal static class A2aErrorWriter
{
    /// <summary>The <c>ErrorInfo</c> domain of errors the gateway answers itself (A2A's own are <c>a2a-protocol.org</c>).</summary>
    public const string Domain = "agentgateway";

    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";

    /// <param name="version">The version of the operation the client asked for, when known (its method or path tells it).</param>
    public static Task WriteAsync(HttpContext context, string binding, string? version, JsonNode? id, A2aError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        var v10 = VersionOf(context.Request, version) == A2aVersions.V10;
        JsonObject body;
        if (binding == A2aVersions.JsonRpc)
        {
            response.ContentType = "application/json";
            var failure = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
            if (v10)
            {
                failure["data"] = new JsonArray(ErrorInfo(error));
            }

            body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["error"] = failure };
        }
        else if (v10)
        {
            response.ContentType = "application/json";
            body = new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = error.StatusCode, ["status"] = Status(error.StatusCode), ["message"] = error.Message, ["details"] = new JsonArray(ErrorInfo(error)),
                },
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

    /// <summary>
    /// The version whose error shape the client gets: the one its <c>A2A-Version</c> header or query parameter names,
    /// else <paramref name="operationVersion"/>, else v0.3 (as the protocol reads a request without a version).
    /// </summary>
    private static string VersionOf(HttpRequest request, string? operationVersion)
    {
        var named = A2aVersions.Named(request);
        return named.Length > 0 ? A2aCardRewriter.ShapeFor(named) ?? A2aVersions.V10
            : operationVersion is { Length: > 0 } ? operationVersion
            : A2aVersions.V03;
    }

    private static JsonObject ErrorInfo(A2aError error) => new()
    {
        ["@type"] = ErrorInfoType,
        ["reason"] = A2aErrorCodes.Reason(error),
        ["domain"] = Domain,
        ["metadata"] = new JsonObject { ["httpStatus"] = error.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static string Title(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status429TooManyRequests => "Too many requests",
        StatusCodes.Status502BadGateway => "Bad gateway",
        StatusCodes.Status504GatewayTimeout => "Gateway timeout",
        _ => "Error",
    };

    /// <summary>The google.rpc status name of an HTTP status (the HTTP+JSON binding's error body).</summary>
    private static string Status(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge => "INVALID_ARGUMENT",
        StatusCodes.Status401Unauthorized => "UNAUTHENTICATED",
        StatusCodes.Status403Forbidden => "PERMISSION_DENIED",
        StatusCodes.Status404NotFound => "NOT_FOUND",
        StatusCodes.Status429TooManyRequests => "RESOURCE_EXHAUSTED",
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable => "UNAVAILABLE",
        StatusCodes.Status504GatewayTimeout => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    };
}
