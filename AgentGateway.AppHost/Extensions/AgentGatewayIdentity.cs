using Aspire.Hosting.ApplicationModel;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The authority every service trusts, the issuer's resource when the AppHost runs one (the local issuer or Keycloak), and the client
/// credentials the Portal and the Proxy use with it.
/// </summary>
internal sealed record AgentGatewayIdentity(
    string Authority, IResourceBuilder<IResourceWithWaitSupport>? Resource, ClientCredentials Clients);
