using Microsoft.Extensions.Configuration;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The Portal's and the Proxy's client credentials: the demo ones, unless <c>Identity:PortalClientId</c>,
/// <c>Identity:PortalClientSecret</c>, <c>Identity:ProxyClientId</c> or <c>Identity:ProxyClientSecret</c> are set
/// (needed with an external realm).
/// </summary>
internal sealed record ClientCredentials(string PortalClientId, string PortalClientSecret, string ProxyClientId, string ProxyClientSecret)
{
    public static ClientCredentials From(IConfiguration configuration) => new(
        Value(configuration, "Identity:PortalClientId", DemoIdentity.PortalClientId),
        Value(configuration, "Identity:PortalClientSecret", DemoIdentity.PortalClientSecret),
        Value(configuration, "Identity:ProxyClientId", DemoIdentity.ProxyClientId),
        Value(configuration, "Identity:ProxyClientSecret", DemoIdentity.ProxyClientSecret));

    private static string Value(IConfiguration configuration, string key, string fallback) =>
        configuration[key] is { Length: > 0 } value ? value : fallback;
}
