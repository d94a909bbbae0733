namespace AgentGateway.Proxy.Limits;

/// <summary>
/// What one request, answer or fetch may cost the proxy (<c>Limits</c> section). Each limit, when reached, is answered
/// in the caller's protocol and counted in <c>agentgateway.limit.exceeded</c>; none lets one caller or upstream hold
/// memory without bound.
/// </summary>
internal sealed class GatewayLimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>
    /// The largest request body of an HTTP or LLM route (A2A and MCP routes read at most 4 MiB each, see their own
    /// settings); larger ones are 413.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 30 * 1024 * 1024;

    /// <summary>
    /// The largest single message the proxy reads whole from an upstream: an MCP target's answer or streamed event, an
    /// A2A answer it inspects, an LLM provider's answer or streamed event (frame). A larger one ends that exchange with
    /// an error in the caller's protocol.
    /// </summary>
    public long MaxUpstreamMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The largest document the proxy fetches for itself: OpenAPI documents, agent cards, JWKS and OpenID discovery
    /// documents, token endpoint and metadata server answers, external authorization and webhook answers.
    /// </summary>
    public long MaxFetchedDocumentBytes { get; set; } = 4 * 1024 * 1024;
}
