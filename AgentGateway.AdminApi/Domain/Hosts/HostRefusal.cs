namespace AgentGateway.AdminApi.Domain.Hosts;

/// <summary>Why hosts cannot be claimed: another tenant holds one (<paramref name="Conflict"/>, a 409) or one is not a tenant's to claim (a 400).</summary>
internal sealed record HostRefusal(bool Conflict, string Message);
