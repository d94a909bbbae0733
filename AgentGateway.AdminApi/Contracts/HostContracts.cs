namespace AgentGateway.AdminApi.Contracts;

/// <summary>A host a tenant holds.</summary>
/// <param name="Host">An exact host or a wildcard (<c>*.example.com</c>), lower case.</param>
/// <param name="Tenant">The tenant holding it (in the platform-wide list; null in a tenant's own).</param>
/// <param name="Granted">
/// Whether a platform admin gave the tenant every path of the host: the tenant's routes naming only granted hosts (or
/// naming none, on its granted hosts) may take paths outside <c>/{tenant}</c>, and no other tenant's route takes a
/// request for it. Without a grant the tenant's routes on the host stay under <c>/{tenant}</c>.
/// </param>
/// <param name="Routes">The tenant's routes that name a host this one covers.</param>
public sealed record HostClaimResponse(
    string Host, string? Tenant, bool Granted, string ClaimedBy, DateTimeOffset ClaimedAt, string? AssignedBy, DateTimeOffset? AssignedAt, IReadOnlyList<string> Routes);

/// <summary>A tenant's claim of a host: first come, first served.</summary>
/// <param name="Host">An exact host, or a wildcard of at least two labels (<c>*.example.com</c>); not the gateway's own host.</param>
public sealed record ClaimHostRequest(string? Host);

/// <summary>A platform admin's assignment of a host: to a tenant (taking it from another), granted whole or not.</summary>
/// <param name="Tenant">The tenant that holds the host from now on.</param>
/// <param name="Granted">Give the tenant every path of the host (left out: false).</param>
public sealed record AssignHostRequest(string? Tenant, bool? Granted);
