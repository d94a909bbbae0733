namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>The policies that apply to a route after precedence, with where each part came from.</summary>
/// <param name="Policies">Route-level parts: caller side (authentication, authorization) and traffic (headers, redirect, CORS, rate limits...).</param>
/// <param name="Targets">
/// Backend parts (backend-auth, backend-tls) of each backend: each MCP target by its server's name, an HTTP route's
/// destinations under the route's name, an A2A route's agent under the agent's name, an LLM route's providers under theirs.
/// </param>
public sealed record EffectivePoliciesResponse(string Route, IReadOnlyList<EffectivePolicyResponse> Policies, IReadOnlyList<EffectiveTargetPoliciesResponse> Targets)
{
    /// <summary>
    /// Policies attached to the route that change nothing on its kind (attached before such policies were refused):
    /// they are not sent to proxies; move or delete them.
    /// </summary>
    public IReadOnlyList<IgnoredPolicyResponse> Ignored { get; init; } = [];
}
