namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Where to send the user's browser: the authorization server's page, with PKCE and a state only this user can complete.</summary>
public sealed record AuthorizeConnectionResponse(Uri AuthorizationUrl);
