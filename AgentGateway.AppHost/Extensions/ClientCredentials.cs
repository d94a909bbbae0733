using Microsoft.Extensions.Configuration;

namespace AgentGateway.AppHost.Extensions;

/// <summary>
/// The Portal's and the Proxy's client credentials: the demo ones, unless <c>Identity:PortalClientId</c>,
/// <c>Identity:PortalClientSecret</c>, <c>Identity:ProxyClientId</c> or <c>Identity:ProxyClientSecret</c> are set
/// (needed with an external realm).
/// </summary>
internal sealed record ClientCredentials(string PortalClientId, string PortalClientSecret, string ProxyClientId, string ProxyClientSecret)
{
    /// <param name="development">Whether the demo credentials may fill in what is not configured (in Development only).</param>
    public static ClientCredentials From(IConfiguration configuration, bool development) => new(
        Value(configuration, "Identity:PortalClientId", DemoIdentity.PortalClientId, development),
        Value(configuration, "Identity:PortalClientSecret", DemoIdentity.PortalClientSecret, development),
        Value(configuration, "Identity:ProxyClientId", DemoIdentity.ProxyClientId, development),
        Value(configuration, "Identity:ProxyClientSecret", DemoIdentity.ProxyClientSecret, development));

    private static string Value(IConfiguration configuration, string key, string fallback, bool development) =>
        configuration[key] is { Length: > 0 } value ? value
        : development ? fallback
        : throw new InvalidOperationException($"{key} is required outside Development: the demo client credentials are for a development machine only.");
}
