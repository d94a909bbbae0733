using System.Net;
using System.Net.Sockets;
using AgentGateway.Contracts.Egress;

namespace AgentGateway.Proxy.Upstream;

/// <summary>
/// Opens every upstream connection the gateway makes for its routes (targets, OpenAPI documents, token endpoints,
/// JWKS, external authorization) and checks, after DNS resolution and on every connection, that the address is one the
/// config's egress policy lets through. It connects to exactly the address it checked, so a name that resolves
/// differently from one moment to the next (DNS rebinding) cannot slip past.
/// </summary>
internal sealed partial class EgressGuard(IEgressPolicySource policies, ILogger<EgressGuard> logger)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = Permitted(host, port, addresses, out var refusal);
        if (permitted.Length == 0)
        {
            LogRefused(logger, host, port, refusal ?? "no address");
            throw new HttpRequestException($"The gateway's egress policy refuses {host}:{port}: {refusal}. A platform admin can allow it.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of <paramref name="host"/> a connection may use; when none, why.</summary>
    internal IPAddress[] Permitted(string host, int port, IPAddress[] addresses, out string? refusal)
    {
        refusal = addresses.Length == 0 ? "the name resolves to no address" : null;
        if (policies.EgressPolicy is not { BlockPrivateNetworks: true } policy)
        {
            return addresses;
        }

        var permitted = new List<IPAddress>(addresses.Length);
        foreach (var address in addresses)
        {
            if (NetworkRanges.RestrictedRange(address) is not { } range || NetworkRanges.IsAllowed(policy.Allow, host, address, port))
            {
                permitted.Add(address);
            }
            else
            {
                refusal ??= $"{address} is a {range} address";
            }
        }

        return [.. permitted];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress to {Host}:{Port} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string host, int port, string reason);
}
