namespace AgentGateway.AdminApi.Endpoints.Contracts;

public sealed record MeResponse(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MeTenantResponse> Tenants)
{
    /// <summary>The caller's <c>sub</c>, which memberships are keyed by.</summary>
    public string? Subject { get; init; }
}
