using AgentGateway.Contracts.V1;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// One connected proxy: when it connected, the config version it last applied, its last NACK of a whole response,
/// and the resources it refuses while serving the rest.
/// </summary>
internal sealed record ProxyStatus(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError)
{
    public IReadOnlyList<RejectedResource> Rejected { get; init; } = [];
}
