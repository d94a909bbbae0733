namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>Probes of every destination of an HTTP route; 0 or left out takes the default.</summary>
/// <param name="Path">The path probed with GET, e.g. /healthz (required).</param>
/// <param name="IntervalMs">Between probes (100-3600000; default 5000).</param>
/// <param name="TimeoutMs">Per probe (10-60000; default 2000).</param>
/// <param name="UnhealthyThreshold">Failed probes that mark a destination unhealthy (1-100; default 2).</param>
/// <param name="HealthyThreshold">Passed probes that mark it healthy again (1-100; default 1).</param>
/// <param name="ExpectedStatuses">Statuses that pass; empty passes 200-399.</param>
/// <param name="Enabled">false removes the route's active health check in an update (the other fields are then ignored).</param>
public sealed record RouteActiveHealthCheck(
    string? Path, int? IntervalMs = null, int? TimeoutMs = null, int? UnhealthyThreshold = null, int? HealthyThreshold = null, List<int>? ExpectedStatuses = null,
    bool? Enabled = null);
