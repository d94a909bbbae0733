namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A platform admin's assignment of a host: to a tenant (taking it from another), granted whole or not.</summary>
/// <param name="Tenant">The tenant that holds the host from now on.</param>
/// <param name="Granted">Give the tenant every path of the host (left out: false).</param>
public sealed record AssignHostRequest(string? Tenant, bool? Granted);
