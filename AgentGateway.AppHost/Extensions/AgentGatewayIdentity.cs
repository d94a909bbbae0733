using Aspire.Hosting.ApplicationModel;

namespace AgentGateway.AppHost.Extensions;

/// <summary>The authority every service trusts, and the local issuer's resource when the AppHost runs one.</summary>
internal sealed record AgentGatewayIdentity(string Authority, IResourceBuilder<ProjectResource>? Resource);
