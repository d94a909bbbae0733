using AgentGateway.AdminApi.ControlPlane.Xds;
using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// Stores the call records proxies report: each once (a report sent again after a failure repeats ids), only for
/// tenants that exist and that the reporting proxy's credential serves (<see cref="XdsScopeOptions"/>), every field
/// clipped to its column. An LLM request is priced like its usage record: by the model price table as it is now, the
/// provider's name for the model first, then the client's.
/// </summary>
internal sealed partial class CallRecordIngestion(
    AdminDbContext db, IOptions<XdsScopeOptions> scopes, ReportMetrics metrics, TimeProvider timeProvider, ILogger<CallRecordIngestion> logger)
{
    public async Task RecordAsync(string nodeId, string? client, IReadOnlyList<CallRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var allowed = client is not null && scopes.Value.ProxyTenants.TryGetValue(client, out var scoped) ? scoped.ToHashSet(StringComparer.Ordinal) : null;
        var tenantNames = records.Select(record => record.Tenant).Where(name => allowed?.Contains(name) != false).Distinct(StringComparer.Ordinal).ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(tenant => tenantNames.Contains(tenant.Name))
            .ToDictionaryAsync(tenant => tenant.Name, tenant => tenant.Id, StringComparer.Ordinal, cancellationToken);
        var ids = records.Select(record => Guid.TryParse(record.Id, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
        var stored = (await db.CallRecords.AsNoTracking().Where(entry => ids.Contains(entry.Id)).Select(entry => entry.Id).ToListAsync(cancellationToken)).ToHashSet();
        var prices = records.Any(record => record.Kind == "llm")
            ? await db.ModelPrices.AsNoTracking().ToDictionaryAsync(price => price.Model, StringComparer.Ordinal, cancellationToken)
            : [];
        var now = timeProvider.GetUtcNow();
        var dropped = 0;
        var added = new List<(string Tenant, string Kind, string Outcome)>();
        foreach (var record in records)
        {
            if (!Guid.TryParse(record.Id, out var id) || !tenants.TryGetValue(record.Tenant, out var tenantId))
            {
                dropped++;
                continue;
            }

            if (!stored.Add(id))
            {
                continue;
            }

            var at = record.At?.ToDateTimeOffset() ?? now;
            added.Add((record.Tenant, Clip(record.Kind, 8), Clip(record.Outcome, 16)));
            db.CallRecords.Add(new CallRecordEntry
            {
                Id = id,
                TenantId = tenantId,
                Route = Clip(record.Route, 63),
                Kind = Clip(record.Kind, 8),
                Operation = Clip(record.Operation, 64),
                Target = Clip(record.Target, 512),
                Upstream = Optional(record.Upstream, 63),
                Caller = Optional(record.Caller, 512),
                Outcome = Clip(record.Outcome, 16),
                Code = record.Code,
                Error = Optional(record.Error, 512),
                DurationMs = (int)Math.Min(record.DurationMs, int.MaxValue),
                InputTokens = (long)Math.Min(record.InputTokens, long.MaxValue),
                OutputTokens = (long)Math.Min(record.OutputTokens, long.MaxValue),
                Cost = record.Kind == "llm"
                    ? LlmUsageIngestion.Price(prices, record.ProviderModel, record.Target, (long)Math.Min(record.InputTokens, int.MaxValue), (long)Math.Min(record.OutputTokens, int.MaxValue))
                    : null,
                TraceId = Optional(record.TraceId, 32),
                Arguments = Optional(record.Arguments, 4200),
                At = at > now ? now : at,
                NodeId = Clip(nodeId, 256),
            });
        }

        if (dropped > 0)
        {
            LogDropped(logger, nodeId, dropped);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var (tenant, kind, outcome) in added)
        {
            metrics.Stored(tenant, kind, outcome);
        }
    }

    private static string Clip(string value, int length) => value.Length > length ? value[..length] : value;

    private static string? Optional(string value, int length) => value.Length == 0 ? null : Clip(value, length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} reported {Count} call records without an id or of tenants that do not exist or it does not serve; dropped")]
    private static partial void LogDropped(ILogger logger, string nodeId, int count);
}
