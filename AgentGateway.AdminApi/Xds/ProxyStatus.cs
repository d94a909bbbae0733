namespace AgentGateway.AdminApi.Xds;

/// <summary>One connected proxy: when it connected, the config version it last ACKed and its last NACK.</summary>
internal sealed record ProxyStatus(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError);
