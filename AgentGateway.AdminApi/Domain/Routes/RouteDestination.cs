namespace AgentGateway.AdminApi.Domain.Routes;

/// <summary>One upstream of an HTTP route.</summary>
/// <param name="Name">Unique within the route: letters, digits and '-'.</param>
/// <param name="Url">Absolute http(s) base URL without query; the request's path is appended to its path. Checked against the egress policy.</param>
/// <param name="Weight">Relative share of the requests (0-10000); left out or 0 takes 1.</param>
public sealed record RouteDestination(string? Name, string? Url, int? Weight = null);
