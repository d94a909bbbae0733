using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Configuration.File;

/// <summary>What a standalone config file holds, as the resource types the control plane would send.</summary>
internal sealed record GatewayFileContent(IReadOnlyList<Route> Routes, IReadOnlyList<SessionKey> SessionKeys, EgressPolicy? Egress);
