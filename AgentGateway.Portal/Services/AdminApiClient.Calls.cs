using System.Globalization;

namespace AgentGateway.Portal.Services;

/// <summary>The tenant's call records (the data plane's audit trail) and their analytics.</summary>
internal sealed partial class AdminApiClient
{
    /// <summary>Calls matching <paramref name="filter"/>, newest first, before <paramref name="before"/> when given.</summary>
    public Task<List<CallRecordInfo>> GetCallsAsync(
        string tenant, CallFilter filter, DateTimeOffset? before, int limit, CancellationToken cancellationToken = default)
    {
        var query = Query(filter);
        query.Add($"limit={limit}");
        if (before is { } cutoff)
        {
            query.Add($"before={Time(cutoff)}");
        }

        return SendAsync<List<CallRecordInfo>>(HttpMethod.Get, TenantPath(tenant, "calls?" + string.Join('&', query)), null, cancellationToken);
    }

    /// <summary>One call.</summary>
    public Task<CallRecordInfo> GetCallAsync(string tenant, Guid id, CancellationToken cancellationToken = default) =>
        SendAsync<CallRecordInfo>(HttpMethod.Get, TenantPath(tenant, $"calls/{id}"), null, cancellationToken);

    /// <summary>
    /// Calls, errors, median and p99 duration and tokens from <paramref name="from"/> to <paramref name="to"/> per bucket
    /// and group, of the calls matching <paramref name="filter"/> (its times aside).
    /// </summary>
    public Task<CallSummaryInfo> GetCallSummaryAsync(
        string tenant, DateTimeOffset from, DateTimeOffset to, string interval, string groupBy, CallFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var query = Query((filter ?? new CallFilter()) with { From = from, To = to });
        query.Add($"interval={Uri.EscapeDataString(interval)}");
        query.Add($"groupBy={Uri.EscapeDataString(groupBy)}");
        return SendAsync<CallSummaryInfo>(HttpMethod.Get, TenantPath(tenant, "calls/summary?" + string.Join('&', query)), null, cancellationToken);
    }

    private static List<string> Query(CallFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<string>();
        foreach (var (name, value) in new[]
        {
            ("route", filter.Route), ("target", filter.Target), ("caller", filter.Caller), ("outcome", filter.Outcome), ("kind", filter.Kind), ("operation", filter.Operation),
        })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
            }
        }

        if (filter.From is { } from)
        {
            query.Add($"from={Time(from)}");
        }

        if (filter.To is { } to)
        {
            query.Add($"to={Time(to)}");
        }

        return query;
    }

    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Whether the call records of the tenant's tool calls carry their (redacted) arguments.</summary>
    public Task<TenantInfo> SetAuditArgumentsAsync(string tenant, string displayName, bool auditArguments, string version, CancellationToken cancellationToken = default) =>
        SendAsync<TenantInfo>(HttpMethod.Put, $"api/v1/tenants/{Uri.EscapeDataString(tenant)}", new { displayName, auditArguments }, cancellationToken, ifMatch: version);
}
