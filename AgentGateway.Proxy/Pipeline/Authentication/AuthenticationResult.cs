namespace AgentGateway.Proxy.Pipeline.Authentication;

/// <summary>Who the request is from, or why it is refused (with the HTTP status and challenge to answer).</summary>
internal sealed record AuthenticationResult(GatewayCaller? Caller, int StatusCode = 0, string? Error = null, string? Challenge = null)
{
    public static AuthenticationResult Success(GatewayCaller caller) => new(caller);

    public static AuthenticationResult Refused(int statusCode, string error, string? challenge) => new(null, statusCode, error, challenge);
}
