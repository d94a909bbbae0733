namespace AgentGateway.Proxy.Pipeline;

/// <summary>
/// Why a route's policies refuse a request: the policy (<c>authentication</c>, <c>ext_authz</c>, <c>authorization</c>,
/// <c>rate_limit</c>: a label of metrics and access logs), the HTTP status, a message, and headers for the answer (a challenge).
/// </summary>
internal sealed record PolicyRefusal(string Policy, int StatusCode, string Message, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public const string Authentication = "authentication";
    public const string ExtAuthz = "ext_authz";
    public const string Authorization = "authorization";
    public const string RateLimit = "rate_limit";
}
