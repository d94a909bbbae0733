namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A tenant's claim of a host: first come, first served.</summary>
/// <param name="Host">An exact host, or a wildcard of at least two labels (<c>*.example.com</c>); not the gateway's own host.</param>
public sealed record ClaimHostRequest(string? Host);
