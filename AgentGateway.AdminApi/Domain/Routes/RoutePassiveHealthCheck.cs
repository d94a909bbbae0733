namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>Ejection of a destination after consecutive failed requests; 0 or left out takes the default.</summary>
/// <param name="ConsecutiveFailures">1-1000; default 5.</param>
/// <param name="EjectionMs">100-3600000; default 30000.</param>
/// <param name="Enabled">false removes the route's passive health check in an update (the other fields are then ignored).</param>
public sealed record RoutePassiveHealthCheck(int? ConsecutiveFailures = null, int? EjectionMs = null, bool? Enabled = null);
