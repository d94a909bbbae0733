using System.Globalization;

namespace AgentGateway.Portal.Services;

/// <summary>The tenant's call records (the data plane's audit trail) and their analytics.</summary>
internal sealed partial class AdminApiClient
{
    /// <summary>Calls matching <paramref name="filter"/>, newest first, before <paramref name="before"/> when given.</summary>
    public Task<List<CallRecordInfo>> GetCallsAsync(
        string tenant, CallFilter filter, DateTimeOffset? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<string> { $"limit={limit}" };
        foreach (var (name, value) in new[] { ("route", filter.Route), ("target", filter.Target), ("caller", filter.Caller), ("outcome", filter.Outcome), ("kind", filter.Kind) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
            }
        }

        if (before is { } cutoff)
        {
            query.Add($"before={Uri.EscapeDataString(cutoff.ToString("O", CultureInfo.InvariantCulture))}");
        }

        return SendAsync<List<CallRecordInfo>>(HttpMethod.Get, TenantPath(tenant, "calls?" + string.Join('&', query)), null, cancellationToken);
    }

    /// <summary>Calls, errors, median and p99 duration and tokens from <paramref name="from"/> to <paramref name="to"/> per bucket and group.</summary>
    public Task<CallSummaryInfo> GetCallSummaryAsync(
        string tenant, DateTimeOffset from, DateTimeOffset to, string interval, string groupBy, CancellationToken cancellationToken = default) =>
        SendAsync<CallSummaryInfo>(HttpMethod.Get, TenantPath(tenant,
            $"calls/summary?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}" +
            $"&interval={Uri.EscapeDataString(interval)}&groupBy={Uri.EscapeDataString(groupBy)}"), null, cancellationToken);

    /// <summary>Whether the call records of the tenant's tool calls carry their (redacted) arguments.</summary>
    public Task<TenantInfo> SetAuditArgumentsAsync(string tenant, string displayName, bool auditArguments, string version, CancellationToken cancellationToken = default) =>
        SendAsync<TenantInfo>(HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}", new { displayName, auditArguments }, cancellationToken, ifMatch: version);
}
