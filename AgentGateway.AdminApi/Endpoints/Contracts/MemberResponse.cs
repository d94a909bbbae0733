namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <param name="Username">The name shown: the invited name until the user signs in, then the user's current one.</param>
public sealed record MemberResponse(string Username, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>The user's <c>sub</c>, which the membership is keyed by; null while the invitation waits for its first sign-in.</summary>
    public string? Subject { get; init; }

    /// <summary>Whether the invitation still waits for the first user to sign in with its name.</summary>
    public bool Pending => Subject is null;
}
