namespace AgentGateway.Contracts;

/// <summary>The xDS type URLs of the resources that AdminApi serves and proxies subscribe to.</summary>
public static class ResourceTypes
{
    /// <summary>The prefix of every type URL carried in a <c>google.protobuf.Any</c>.</summary>
    public const string TypeUrlPrefix = "type.googleapis.com/";

    /// <summary><see cref="V1.Route"/>: a tenant's client-facing endpoint, named <c>{tenant}/{route}</c>.</summary>
    public const string Route = TypeUrlPrefix + "agentgateway.v1.Route";

    /// <summary><see cref="V1.SessionKey"/>: a key that seals MCP session ids, named by its id.</summary>
    public const string SessionKey = TypeUrlPrefix + "agentgateway.v1.SessionKey";

    /// <summary><see cref="V1.EgressPolicy"/>: which addresses upstream connections may reach, named <c>default</c>.</summary>
    public const string EgressPolicy = TypeUrlPrefix + "agentgateway.v1.EgressPolicy";

    /// <summary>The name of the one <see cref="EgressPolicy"/> resource.</summary>
    public const string EgressPolicyName = "default";

    /// <summary><see cref="V1.HostGrant"/>: a host whose every path belongs to one tenant, named by the host.</summary>
    public const string HostGrant = TypeUrlPrefix + "agentgateway.v1.HostGrant";

    /// <summary>Every type a proxy subscribes to, in the order it should apply them.</summary>
    public static IReadOnlyList<string> All { get; } = [SessionKey, EgressPolicy, HostGrant, Route];
}
