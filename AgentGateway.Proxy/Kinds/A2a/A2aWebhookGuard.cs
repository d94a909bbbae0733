using System.Net;
using System.Net.Sockets;
using AgentGateway.Contracts.Egress;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// Checks the push-notification webhook URLs a caller asks an agent to call, before the request reaches the agent:
/// the agent would call them from inside the network, so a URL must be http(s) and its host must not be (or resolve
/// to) a loopback, private, link-local (cloud metadata) or other restricted address, unless the config's egress
/// policy allows that host or range explicitly (whether or not it blocks private networks for the gateway itself).
/// </summary>
internal sealed class A2aWebhookGuard
{
    private static readonly TimeSpan s_resolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Why <paramref name="url"/> is refused, or null when it may be used.</summary>
    public async Task<string?> CheckAsync(string url, EgressPolicy? egress, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"The push notification URL '{Shorten(url)}' is not an absolute http(s) URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return $"The push notification URL '{Shorten(url)}' must not carry credentials in the URL.";
        }

        var host = uri.IdnHost;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_resolveTimeout);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception exception) when (exception is SocketException or ArgumentException
                || exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return $"The push notification URL's host '{host}' does not resolve.";
            }
        }

        if (addresses.Length == 0)
        {
            return $"The push notification URL's host '{host}' does not resolve.";
        }

        var allow = egress?.Allow ?? (IEnumerable<EgressAllowRule>)[];
        foreach (var address in addresses)
        {
            if (NetworkRanges.RestrictedRange(address) is { } range && !NetworkRanges.IsAllowed(allow, host, address, uri.Port))
            {
                return $"The push notification URL's host '{host}' is {address}, a {range} address, which agents may not be sent to (a platform admin can allow it in the egress policy).";
            }
        }

        return null;
    }

    private static string Shorten(string url) => url.Length > 200 ? url[..200] + "..." : url;
}
