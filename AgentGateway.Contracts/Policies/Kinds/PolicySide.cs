namespace AgentGateway.Contracts.Policies.Kinds;

/// <summary>Where on the corridor a policy kind acts.</summary>
public enum PolicySide
{
    /// <summary>Who may call, and what (authentication, authorization): route-level, a route's own replacing the tenant's.</summary>
    Caller,

    /// <summary>What happens to the traffic (headers, answers, CORS, resiliency, rate limits, guards): route-level too.</summary>
    Traffic,

    /// <summary>How the gateway reaches the backends (credentials, TLS): also per MCP server, agent or LLM provider.</summary>
    Backend,
}
