namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>The JSON-RPC error codes the gateway answers A2A callers with (the standard ones, and the gateway's own for its policies).</summary>
internal static class A2aErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>The agent failed, or could not be reached.</summary>
    public const int AgentUnavailable = -32010;

    /// <summary>A rate limit of the route refused the request (HTTP 429); the same code as on MCP routes.</summary>
    public const int RateLimited = -32029;

    /// <summary>The request carries no credentials the route accepts, or bad ones (HTTP 401); the same code as on MCP routes.</summary>
    public const int Unauthenticated = -32040;

    /// <summary>The caller may not do this (authorization rules, external authorization); the same code as on MCP routes.</summary>
    public const int Forbidden = -32041;

    /// <summary>
    /// The <c>google.rpc.ErrorInfo</c> reason of a gateway error (UPPER_SNAKE_CASE, as A2A v1.0 names its own), told
    /// apart where one code covers several causes by the HTTP status.
    /// </summary>
    public static string Reason(A2aError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return (error.Code, error.StatusCode) switch
        {
            (ParseError, _) => "PARSE_ERROR",
            (InvalidRequest, StatusCodes.Status413PayloadTooLarge) => "REQUEST_TOO_LARGE",
            (InvalidRequest, _) => "INVALID_REQUEST",
            (InvalidParams, _) => "INVALID_PARAMS",
            (AgentUnavailable, StatusCodes.Status504GatewayTimeout) => "AGENT_TIMEOUT",
            (AgentUnavailable, _) => "AGENT_UNAVAILABLE",
            (RateLimited, _) => "RATE_LIMITED",
            (Unauthenticated, _) => "UNAUTHENTICATED",
            (Forbidden, _) => "PERMISSION_DENIED",
            _ => "INTERNAL",
        };
    }
}

/// <summary>Why the gateway refuses an A2A request: the HTTP status, the JSON-RPC code and a message.</summary>
internal sealed record A2aError(int StatusCode, int Code, string Message);
