using AgentGateway.Proxy.Policies.Authentication;
using AgentGateway.Proxy.Policies.Authorization;

namespace AgentGateway.Proxy.Policies;

/// <summary>What the route's policies established about a request that may proceed: its caller, and what rules see.</summary>
internal sealed class RequestScope(GatewayCaller caller, RoutePolicyRuntime policies, IReadOnlyDictionary<string, object?> variables)
{
    public GatewayCaller Caller { get; } = caller;

    public RoutePolicyRuntime Policies { get; } = policies;

    /// <summary>The caller and request variables of authorization rules (see <see cref="AuthorizationVariables"/>).</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; } = variables;

    /// <summary>This scope for <paramref name="caller"/>, the same caller with other upstream headers.</summary>
    public RequestScope WithCaller(GatewayCaller caller) => new(caller, Policies, Variables);
}
