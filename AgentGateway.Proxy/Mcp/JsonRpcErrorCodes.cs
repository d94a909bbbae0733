namespace AgentGateway.Proxy.Mcp;

/// <summary>JSON-RPC 2.0 error codes the gateway answers with.</summary>
internal static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>A target behind the route failed or did not answer in time.</summary>
    public const int TargetUnavailable = -32001;

    /// <summary>The session is unknown or has ended.</summary>
    public const int SessionNotFound = -32002;
}
