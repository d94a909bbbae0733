using System.Text.Json.Nodes;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>The error bodies of the client APIs, and the error types of the statuses the gateway answers with.</summary>
internal static class LlmErrors
{
    /// <summary>OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static JsonObject OpenAi(string message, string type, string? code = null) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = null,
            ["code"] = code,
        },
    };

    /// <summary>Anthropic's shape: <c>{"type": "error", "error": {"type", "message"}}</c>.</summary>
    public static JsonObject Anthropic(string message, string type) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
    };

    /// <summary>The OpenAI error type of a status.</summary>
    public static string OpenAiType(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status413PayloadTooLarge
            or StatusCodes.Status405MethodNotAllowed => "invalid_request_error",
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        _ => "api_error",
    };

    /// <summary>The Anthropic error type of a status.</summary>
    public static string AnthropicType(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status405MethodNotAllowed => "invalid_request_error",
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status413PayloadTooLarge => "request_too_large",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

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

/// <summary>A request an adapter cannot translate to its provider's API (a 400 in the client's shape, with the message).</summary>
internal sealed class LlmTranslationException(string message) : Exception(message);
