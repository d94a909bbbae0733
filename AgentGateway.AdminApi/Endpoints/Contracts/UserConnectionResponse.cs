namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>A user's authorization of a tenant's backend, without its tokens (which are never returned).</summary>
/// <param name="Policy">The backend-auth policy (userOauth) the user authorized.</param>
/// <param name="Subject">The user as the gateway names its callers: <c>jwt:{issuer}|{sub}</c>.</param>
/// <param name="Scopes">The scopes the authorization server granted.</param>
/// <param name="ExpiresAt">When the access token expires (it is refreshed before, when there is a refresh token).</param>
/// <param name="Refreshable">Whether the authorization server gave a refresh token.</param>
public sealed record UserConnectionResponse(
    Guid Id,
    string Tenant,
    string Policy,
    string Subject,
    string Username,
    string Scopes,
    DateTimeOffset? ExpiresAt,
    bool Refreshable,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
