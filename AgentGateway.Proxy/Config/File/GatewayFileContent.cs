using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;

namespace AgentGateway.Proxy.Config.File;

/// <summary>
/// What a standalone config file holds, as the resource types the control plane would send, and the routes that could
/// not be read (refused alone, like a route a snapshot refuses).
/// </summary>
internal sealed record GatewayFileContent(
    IReadOnlyList<Route> Routes, IReadOnlyList<SessionKey> SessionKeys, EgressPolicy? Egress, IReadOnlyList<HostGrant> HostGrants,
    IReadOnlyList<RejectedRoute> Rejected);
