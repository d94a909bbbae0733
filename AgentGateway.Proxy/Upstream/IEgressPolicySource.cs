using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Upstream;

/// <summary>Where the running config's egress policy is read from, on every connection.</summary>
internal interface IEgressPolicySource
{
    /// <summary>Which addresses upstream connections may reach; null lets every address through.</summary>
    EgressPolicy? EgressPolicy { get; }
}
