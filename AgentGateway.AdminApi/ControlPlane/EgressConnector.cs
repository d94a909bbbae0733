using System.Net;
using System.Net.Sockets;
using AgentGateway.AdminApi.ControlPlane.Xds;
using AgentGateway.AdminApi.Domain.Egress;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Egress;
using AgentGateway.Contracts.V1;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.ControlPlane;

/// <summary>
/// The connect-time half of the SSRF defence for AdminApi's own calls to tenant URLs (listing a route's tools): the
/// host is resolved at connection time and only an address the egress policy allows is connected to, so a name that
/// resolved to a public address when it was saved cannot be pointed at an internal one later. The policy is the one
/// proxies hold, from the current xDS snapshot.
/// </summary>
internal sealed class EgressConnector(XdsSnapshotCache cache, IOptions<EgressOptions> options)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var policy = Policy();
        var allowed = addresses.Where(address => !policy.BlockPrivateNetworks || NetworkRanges.RestrictedRange(address) is null
            || NetworkRanges.IsAllowed(policy.Allow, host, address, port)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException(
                $"'{host}' resolves only to restricted addresses ({string.Join(", ", addresses.Select(address => address.ToString()))}) that the egress allowlist does not let through on port {port}.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. allowed], port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private EgressPolicy Policy()
    {
        if (cache.Current.Of(ResourceTypes.EgressPolicy).GetValueOrDefault(ResourceTypes.EgressPolicyName) is { } resource)
        {
            return resource.Resource_.Unpack<EgressPolicy>();
        }

        // Before the first snapshot: blocked as configured, with no exceptions yet.
        return new EgressPolicy { BlockPrivateNetworks = options.Value.BlockPrivateNetworks };
    }
}
