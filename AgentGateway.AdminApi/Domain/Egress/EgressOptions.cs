namespace AgentGateway.AdminApi.Domain.Egress;

/// <summary>Where tenant-registered URLs may point (<c>Egress</c> section).</summary>
internal sealed class EgressOptions
{
    public const string SectionName = "Egress";

    /// <summary>
    /// Refuse URLs that resolve to loopback, private, link-local (cloud metadata), CGNAT, multicast or unspecified
    /// addresses unless the egress allowlist lets them through; proxies check the same on every connection.
    /// </summary>
    public bool BlockPrivateNetworks { get; set; } = true;

    /// <summary>How long resolving a URL's host name may take when it is saved.</summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
