using System.Net;
using System.Net.Sockets;

namespace AgentGateway.Contracts.Egress;

/// <summary>
/// The address ranges that tenant-registered URLs may not reach unless a platform admin allows them: loopback,
/// private networks, link-local (where cloud metadata services live), carrier-grade NAT, multicast and the like.
/// Both planes use it: the control plane when a URL is saved, every proxy on every connection.
/// </summary>
public static class NetworkRanges
{
    private static readonly (IPNetwork Network, string Name)[] s_restricted =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "this network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private network"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (cloud metadata)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private network"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.168.0.0/16"), "private network"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fc00::/7"), "unique local (private network)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork s_nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>The name of the restricted range <paramref name="address"/> is in, or null when it is a public address.</summary>
    public static string? RestrictedRange(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && s_nat64.Contains(address))
        {
            // NAT64 carries an IPv4 address in its last 32 bits: judge that one.
            var bytes = address.GetAddressBytes();
            address = new IPAddress(bytes.AsSpan(12, 4));
        }

        foreach (var (network, name) in s_restricted)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="rules"/> let a connection to <paramref name="host"/> (resolved to <paramref name="address"/>) on <paramref name="port"/> through.</summary>
    public static bool IsAllowed(IEnumerable<V1.EgressAllowRule> rules, string host, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var rule in rules)
        {
            if (rule.Ports.Count > 0 && !rule.Ports.Contains((uint)port))
            {
                continue;
            }

            if (rule.Host.Length > 0 && string.Equals(rule.Host, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (rule.Cidr.Length > 0 && IPNetwork.TryParse(rule.Cidr, out var network)
                && network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
