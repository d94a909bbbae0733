namespace AgentGateway.AdminApi.Contracts;

public sealed record TenantResponse(string Name, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

public sealed record CreateTenantRequest(string? Name, string? DisplayName);

public sealed record UpdateTenantRequest(string? DisplayName);

/// <param name="Username">The name shown: the invited name until the user signs in, then the user's current one.</param>
public sealed record MemberResponse(string Username, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>The user's <c>sub</c>, which the membership is keyed by; null while the invitation waits for its first sign-in.</summary>
    public string? Subject { get; init; }

    /// <summary>Whether the invitation still waits for the first user to sign in with its name.</summary>
    public bool Pending => Subject is null;
}

public sealed record PutMemberRequest(string? Role);

public sealed record MeResponse(string Username, string? Email, bool IsPlatformAdmin, IReadOnlyList<MeTenantResponse> Tenants)
{
    /// <summary>The caller's <c>sub</c>, which memberships are keyed by.</summary>
    public string? Subject { get; init; }
}

public sealed record MeTenantResponse(string Name, string DisplayName, string Role);
