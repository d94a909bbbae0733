using AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.Domain.Egress;

/// <summary>The egress policy proxies receive: the block switch and the platform's allow rules.</summary>
internal static class EgressResources
{
    public static AgentGateway.Contracts.V1.EgressAllowRule ToMessage(Data.Entities.EgressAllowRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var message = new AgentGateway.Contracts.V1.EgressAllowRule { Cidr = rule.Cidr ?? string.Empty, Host = rule.Host ?? string.Empty };
        message.Ports.Add(rule.Ports.Select(port => (uint)port));
        return message;
    }

    public static EgressPolicy ToResource(bool blockPrivateNetworks, IEnumerable<AgentGateway.Contracts.V1.EgressAllowRule> rules)
    {
        var policy = new EgressPolicy { BlockPrivateNetworks = blockPrivateNetworks };
        policy.Allow.Add(rules);
        return policy;
    }
}
