namespace AgentGateway.Proxy.Protocols;

/// <summary>JSON-RPC 2.0 error codes the gateway answers with.</summary>
internal static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>The client cancelled the request.</summary>
    public const int RequestCancelled = -32800;

    /// <summary>A mirrored header disagrees with the body (stateless revision).</summary>
    public const int HeaderMismatch = -32020;

    /// <summary>The request needs a client capability the client did not declare (stateless revision).</summary>
    public const int MissingClientCapability = -32021;

    /// <summary>The request's protocol version is not one the gateway speaks (stateless revision).</summary>
    public const int UnsupportedProtocolVersion = -32022;

    /// <summary>A target behind the route failed or did not answer in time.</summary>
    public const int TargetUnavailable = -32010;

    /// <summary>The session is unknown or has ended.</summary>
    public const int SessionNotFound = -32001;

    /// <summary>A resource URI that no target of the route offers (MCP's "resource not found").</summary>
    public const int ResourceNotFound = -32002;

    /// <summary>The session already has as many requests in flight as it may.</summary>
    public const int TooManyRequests = -32003;

    /// <summary>The request carries no credentials the route accepts, or bad ones (HTTP 401).</summary>
    public const int Unauthenticated = -32040;

    /// <summary>The caller may not do this: authorization rules, external authorization, scopes or a withheld tool.</summary>
    public const int Forbidden = -32041;

    /// <summary>The request needs the user to complete an out-of-band step at a URL first (MCP's URLElicitationRequiredError).</summary>
    public const int UrlElicitationRequired = -32042;

    /// <summary>A rate limit of the route refused the request (HTTP 429 with Retry-After and RateLimit-* headers).</summary>
    public const int RateLimited = -32029;
}
