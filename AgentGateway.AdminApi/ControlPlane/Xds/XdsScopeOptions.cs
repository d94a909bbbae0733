namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Which tenants' resources each proxy credential receives (<c>Xds:ProxyTenants:{client id}</c>, a list of tenant
/// names). A proxy whose client is listed receives only those tenants' routes and host grants — and their secrets —
/// whatever it asks for; an unlisted client receives what it asks for (its node's <c>tenants</c> metadata), or every
/// tenant when it asks for none. Session keys and the egress policy go to every proxy.
/// </summary>
internal sealed class XdsScopeOptions
{
    public const string SectionName = "Xds";

    public Dictionary<string, List<string>> ProxyTenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The OAuth client of a proxy's token (<c>azp</c>, else <c>client_id</c>).</summary>
    public static string? ClientOf(System.Security.Claims.ClaimsPrincipal user) =>
        user?.FindFirst("azp")?.Value ?? user?.FindFirst("client_id")?.Value;

    /// <summary>The tenants a proxy of <paramref name="user"/>'s client may be served; null for every tenant.</summary>
    public HashSet<string>? TenantsOf(System.Security.Claims.ClaimsPrincipal user) =>
        ClientOf(user) is { } client && ProxyTenants.TryGetValue(client, out var tenants) ? new(tenants, StringComparer.Ordinal) : null;
}
