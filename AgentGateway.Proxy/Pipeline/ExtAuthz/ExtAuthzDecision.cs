namespace AgentGateway.Proxy.Pipeline.ExtAuthz;

/// <summary>What the external authorization service decided about one request.</summary>
internal sealed record ExtAuthzDecision(
    bool Allowed,
    int StatusCode,
    string? Body,
    IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders,
    IReadOnlyList<KeyValuePair<string, string>> UpstreamHeaders)
{
    public static ExtAuthzDecision Allow(IReadOnlyList<KeyValuePair<string, string>> upstreamHeaders, IReadOnlyList<KeyValuePair<string, string>> responseHeaders) =>
        new(true, StatusCodes.Status200OK, null, responseHeaders, upstreamHeaders);

    public static ExtAuthzDecision Deny(int statusCode, string? body, IReadOnlyList<KeyValuePair<string, string>> responseHeaders) =>
        new(false, statusCode, body, responseHeaders, []);
}
