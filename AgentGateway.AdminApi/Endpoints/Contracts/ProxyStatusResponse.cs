namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Rejected">The resources the proxy refuses while it serves the rest of the config it applied.</param>
public sealed record ProxyStatusResponse(string NodeId, DateTimeOffset ConnectedAt, string? AckedVersion, string? LastNackError, IReadOnlyList<RejectedResourceResponse> Rejected);
