namespace AgentGateway.AdminApi.Data.Entities;

/// <summary>
/// A platform-wide exception to the egress block: an address range or a host name (and optionally ports) that
/// tenant-registered URLs may reach although it is loopback, private or link-local. Platform admins only.
/// </summary>
internal sealed class EgressAllowRule
{
    public Guid Id { get; set; }

    /// <summary>An address range such as <c>10.1.0.0/16</c>; null when the rule names a host.</summary>
    public string? Cidr { get; set; }

    /// <summary>An exact host name (lower case); null when the rule names a range.</summary>
    public string? Host { get; set; }

    /// <summary>The ports the exception covers; empty covers every port.</summary>
    public List<int> Ports { get; set; } = [];

    public string? Description { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
