namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// Whether a request may have the tokens it asked for, the state of the tightest (or refusing) limit, headers the
/// limiter adds to the client's answer and to the request sent upstream, and why it was refused.
/// </summary>
internal sealed record RateLimitDecision(
    bool Allowed,
    BucketState? Tightest,
    string? Reason = null,
    IReadOnlyList<KeyValuePair<string, string>>? ResponseHeaders = null,
    IReadOnlyList<KeyValuePair<string, string>>? UpstreamHeaders = null)
{
    public static RateLimitDecision Unlimited { get; } = new(true, null);
}
