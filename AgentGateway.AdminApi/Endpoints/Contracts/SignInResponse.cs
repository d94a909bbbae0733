namespace AgentGateway.AdminApi.Endpoints.Contracts;

/// <summary>Where a client signs in for AdminApi: the OpenID Connect issuer its tokens come from, and the audience they carry.</summary>
public sealed record SignInResponse(string Authority, string Audience);
