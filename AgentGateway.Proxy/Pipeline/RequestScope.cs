using AgentGateway.Proxy.Pipeline.Authentication;
using AgentGateway.Proxy.Pipeline.Authorization;

namespace AgentGateway.Proxy.Pipeline;

/// <summary>What the route's policies established about a request that may proceed: its caller, and what rules see.</summary>
internal sealed class RequestScope(GatewayCaller caller, RoutePolicyRuntime policies, IReadOnlyDictionary<string, object?> variables)
{
    public GatewayCaller Caller { get; } = caller;

    public RoutePolicyRuntime Policies { get; } = policies;

    /// <summary>The caller and request variables of authorization rules (see <see cref="AuthorizationVariables"/>).</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; } = variables;

    /// <summary>
    /// This scope with the route's request header changes applied to the caller's upstream headers: for backends that
    /// get the gateway's own requests, not a copy of the client's (MCP servers, LLM providers).
    /// </summary>
    public RequestScope WithRequestHeaderChanges() => Policies.Traffic.RequestHeaders is { } changes
        ? new RequestScope(Caller.ReplacingUpstreamHeaders(changes.ApplyTo(Caller.UpstreamHeaders)), Policies, Variables)
        : this;
}
