using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Llm;

/// <summary>Errors in the shape OpenAI's API answers them (<c>{"error": {"message", "type", "param", "code"}}</c>).</summary>
internal static class LlmErrors
{
    public static JsonObject Body(string message, string type, string? code = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = null,
            ["code"] = code,
        },
    };

    /// <summary>The OpenAI error type of a status the gateway answers with.</summary>
    public static string TypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status413PayloadTooLarge
            or StatusCodes.Status405MethodNotAllowed => "invalid_request_error",
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        _ => "api_error",
    };

    public static Task WriteAsync(HttpContext context, int status, string message, string? code = null) =>
        WriteAsync(context, status, Body(message, TypeOf(status), code));

    public static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
