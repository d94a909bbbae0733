using System.Net;
using AgentGateway.Proxy.Pipeline.Traffic;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Kinds.Mcp.Transports;

/// <summary>
/// Defends MCP routes against DNS rebinding: a browser page on another site must not reach a gateway through a
/// name that resolves to it. A request whose <c>Host</c> is not an accepted host, or whose <c>Origin</c> is not an
/// accepted origin, is refused. Loopback hosts are accepted on a loopback connection; other hosts and origins only
/// when configured (<see cref="McpGatewayOptions.AllowedHosts"/>, <see cref="McpGatewayOptions.AllowedOrigins"/>), or
/// for an origin the route's own CORS policy allows.
/// </summary>
internal sealed class McpOriginGuard(IOptions<McpGatewayOptions> options)
{
    /// <summary>Null when the request may proceed, else the reason it may not.</summary>
    /// <param name="cors">The route's CORS policy: the origins it allows are accepted too.</param>
    public string? Check(HttpRequest request, CorsPolicy? cors = null)
    {
        var settings = options.Value;
        var host = request.Host.Host;
        var loopbackConnection = request.HttpContext.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local);
        var hostAllowed = settings.AllowedHosts.Count == 0
            ? !loopbackConnection || IsLoopbackName(host)
            : settings.AllowedHosts.Contains("*") || settings.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase)
              || (loopbackConnection && IsLoopbackName(host));
        if (!hostAllowed)
        {
            return $"Host '{host}' is not accepted by this gateway.";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        if (cors?.AllowsOrigin(origin) == true || settings.AllowedOrigins.Contains("*") || settings.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        // Without a list, a browser may only call the gateway from a page of the same host (or a loopback page on loopback).
        return Uri.TryCreate(origin, UriKind.Absolute, out var originUri)
               && settings.AllowedOrigins.Count == 0
               && (string.Equals(originUri.Host, host, StringComparison.OrdinalIgnoreCase) && hostAllowed
                   || (loopbackConnection && IsLoopbackName(originUri.Host)))
            ? null
            : $"Origin '{origin}' is not accepted by this gateway.";
    }

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
