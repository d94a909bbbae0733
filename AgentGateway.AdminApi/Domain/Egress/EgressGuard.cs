using System.Net;
using System.Net.Sockets;
using AgentGateway.AdminApi.Data;
using AgentGateway.Contracts.Egress;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.Domain.Egress;

/// <summary>
/// The save-time half of the SSRF defence: every URL a tenant registers (MCP servers, OpenAPI documents, JWKS,
/// issuers, token endpoints, external authorization) is resolved, and refused when an address it resolves to is in a
/// restricted range that no egress allow rule lets through, or when it does not resolve and no rule allows it by
/// name. Proxies check again on every connection, after their own resolution (DNS can change).
/// </summary>
internal sealed partial class EgressGuard(AdminDbContext db, IOptions<EgressOptions> options, TimeProvider timeProvider, ILogger<EgressGuard> logger)
{
    private const string HowToAllow = "a platform admin can allow it in the egress allowlist (POST /api/v1/egress-allowlist)";

    /// <summary>Checks each URL and adds an error keyed by its field for each one refused.</summary>
    public async Task CheckAsync(IEnumerable<(string Field, string Url)> urls, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(errors);
        if (!options.Value.BlockPrivateNetworks)
        {
            return;
        }

        List<AgentGateway.Contracts.V1.EgressAllowRule>? rules = null;
        foreach (var (field, url) in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
            {
                // Not a URL at all: the field's own validation says so.
                continue;
            }

            rules ??= await AllowRulesAsync(db, cancellationToken);
            if (await RefusalAsync(uri, rules, cancellationToken) is { } refusal)
            {
                Validation.Add(errors, field, refusal);
            }
        }
    }

    /// <summary>The allow rules as the proxies receive them.</summary>
    public static async Task<List<AgentGateway.Contracts.V1.EgressAllowRule>> AllowRulesAsync(AdminDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var stored = await db.EgressAllowRules.AsNoTracking().OrderBy(rule => rule.CreatedAt).ToListAsync(cancellationToken);
        return [.. stored.Select(EgressResources.ToMessage)];
    }

    private async Task<string?> RefusalAsync(Uri uri, List<AgentGateway.Contracts.V1.EgressAllowRule> rules, CancellationToken cancellationToken)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost.TrimEnd('.');
        var port = uri.Port;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            addresses = await ResolveAsync(host, cancellationToken);
            if (addresses.Length == 0)
            {
                var byName = rules.Where(rule => rule.Host.Length > 0);
                return NetworkRanges.IsAllowed(byName, host, IPAddress.None, port)
                    ? null
                    : $"'{host}' does not resolve to an address, and a host that cannot be resolved is refused unless it is allowed by name; {HowToAllow}.";
            }
        }

        foreach (var address in addresses)
        {
            if (NetworkRanges.RestrictedRange(address) is { } range && !NetworkRanges.IsAllowed(rules, host, address, port))
            {
                var resolved = literal is null ? $"'{host}' resolves to {address}, which" : $"{address}";
                return $"{resolved} is in a restricted address range ({range}) that tenant URLs may not reach on port {port}; {HowToAllow}.";
            }
        }

        return null;
    }

    private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.DnsTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await Dns.GetHostAddressesAsync(host, linked.Token);
        }
        catch (SocketException exception)
        {
            LogUnresolved(logger, host, exception.Message);
            return [];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnresolved(logger, host, $"no answer within {options.Value.DnsTimeout.TotalSeconds:0.#} s");
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Host {Host} of a URL being saved does not resolve: {Reason}")]
    private static partial void LogUnresolved(ILogger logger, string host, string reason);
}
