namespace AgentGateway.AdminApi.Endpoints.Contracts;

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
