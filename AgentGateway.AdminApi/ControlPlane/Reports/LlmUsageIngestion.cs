using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain.ApiKeys;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.Contracts.V1;
using Microsoft.EntityFrameworkCore;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// Stores the LLM usage records proxies report, each priced by the model price table as it is now (a provider's name
/// for the model first, then the client's). Records of tenants that do not exist are dropped; an API key the tenant
/// does not have is not linked. A key whose budget the new records reach is marked exhausted (a config change), so
/// proxies refuse it until its period ends or enough use leaves its window; so is a tenant whose LLM budget they reach
/// (on every LLM route of the tenant). A record whose id is stored already (sent again after a failed report or a
/// proxy's crash) is skipped: stored, priced and counted once.
/// </summary>
internal sealed partial class LlmUsageIngestion(AdminDbContext db, ReportMetrics metrics, TimeProvider timeProvider, ILogger<LlmUsageIngestion> logger)
{
    public async Task RecordAsync(string nodeId, IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var tenantNames = records.Select(record => record.Tenant).Distinct(StringComparer.Ordinal).ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(tenant => tenantNames.Contains(tenant.Name))
            .ToDictionaryAsync(tenant => tenant.Name, tenant => tenant.Id, StringComparer.Ordinal, cancellationToken);
        var keyIds = records.Select(record => Guid.TryParse(record.ApiKeyId, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
        var keys = await db.ApiKeys.AsNoTracking().Where(key => keyIds.Contains(key.Id))
            .ToDictionaryAsync(key => key.Id, key => key.TenantId, cancellationToken);
        var prices = await db.ModelPrices.AsNoTracking().ToDictionaryAsync(price => price.Model, StringComparer.Ordinal, cancellationToken);
        var recordIds = records.Select(record => Guid.TryParse(record.Id, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
        var stored = (await db.LlmUsage.AsNoTracking().Where(entry => entry.RecordId != null && recordIds.Contains(entry.RecordId.Value))
            .Select(entry => entry.RecordId!.Value).ToListAsync(cancellationToken)).ToHashSet();
        var now = timeProvider.GetUtcNow();
        var dropped = 0;
        foreach (var record in records)
        {
            if (!tenants.TryGetValue(record.Tenant, out var tenantId))
            {
                dropped++;
                continue;
            }

            Guid? recordId = Guid.TryParse(record.Id, out var parsedId) ? parsedId : null;
            if (recordId is { } known && !stored.Add(known))
            {
                continue;
            }

            Guid? keyId = Guid.TryParse(record.ApiKeyId, out var parsed) && keys.TryGetValue(parsed, out var keyTenant) && keyTenant == tenantId ? parsed : null;
            var input = (long)Math.Min(record.InputTokens, int.MaxValue);
            var output = (long)Math.Min(record.OutputTokens, int.MaxValue);
            var at = record.At?.ToDateTimeOffset() ?? now;
            var cost = Price(prices, record.ProviderModel, record.Model, input, output);
            if (cost is { } spent)
            {
                metrics.Priced(record.Tenant, record.Model, spent);
            }

            db.LlmUsage.Add(new LlmUsageEntry
            {
                RecordId = recordId,
                TenantId = tenantId,
                Route = Clip(record.Route, 63),
                ApiKeyId = keyId,
                Subject = record.Subject.Length == 0 ? null : Clip(record.Subject, 512),
                Model = Clip(record.Model, 256),
                Provider = Clip(record.Provider, 63),
                ProviderModel = Clip(record.ProviderModel, 256),
                InputTokens = input,
                OutputTokens = output,
                Estimated = record.Estimated,
                Cost = cost,
                DurationMs = (int)Math.Min(record.DurationMs, int.MaxValue),
                TimeToFirstTokenMs = record.TimeToFirstTokenMs == 0 ? null : (int)Math.Min(record.TimeToFirstTokenMs, int.MaxValue),
                Outcome = Clip(record.Outcome, 20),
                Api = Clip(record.Api, 30),
                At = at > now ? now : at,
                NodeId = Clip(nodeId, 256),
            });
        }

        if (dropped > 0)
        {
            LogDropped(logger, nodeId, dropped);
        }

        await db.SaveChangesAsync(cancellationToken);

        // A budgeted key whose spend reached its budget is refused by proxies from the next config on.
        var reported = records.Select(record => Guid.TryParse(record.ApiKeyId, out var id) ? id : Guid.Empty).Where(keys.ContainsKey).Distinct().ToList();
        var budgeted = await db.ApiKeys.Where(key => reported.Contains(key.Id) && key.Llm != null).ToListAsync(cancellationToken);
        var changed = false;
        foreach (var key in budgeted)
        {
            var (state, keyChanged) = await LlmBudgets.EvaluateAsync(db, key, now, cancellationToken);
            changed |= keyChanged;
            if (state is { } used && LlmBudgets.AmountOf(key) is { } amount && tenants.FirstOrDefault(pair => pair.Value == key.TenantId).Key is { } tenantName)
            {
                metrics.Budget(tenantName, key.Name, used.Spent, amount);
            }
        }

        // So is every route of a tenant whose budget the new records reach.
        var tenantIds = tenants.Values.Distinct().ToList();
        foreach (var tenant in await db.Tenants.Where(tenant => tenantIds.Contains(tenant.Id) && tenant.LlmBudget != null).ToListAsync(cancellationToken))
        {
            var (state, tenantChanged) = await TenantBudgets.EvaluateAsync(db, tenant, now, cancellationToken);
            changed |= tenantChanged;
            if (state is { } used && TenantBudgets.Parse(tenant) is { Amount: > 0 } budget)
            {
                metrics.Budget(tenant.Name, string.Empty, used.Spent, budget.Amount);
            }
        }

        if (changed)
        {
            await db.SaveConfigChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// What <paramref name="input"/> and <paramref name="output"/> tokens cost by the price table: the provider's name
    /// for the model first, then the client's; null when neither has a price.
    /// </summary>
    public static decimal? Price(IReadOnlyDictionary<string, ModelPrice> prices, string providerModel, string model, long input, long output)
    {
        ArgumentNullException.ThrowIfNull(prices);
        return (prices.GetValueOrDefault(providerModel) ?? prices.GetValueOrDefault(model)) is { } price ? Cost(price, input, output) : null;
    }

    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens cost at <paramref name="price"/>.</summary>
    public static decimal Cost(ModelPrice price, long input, long output)
    {
        ArgumentNullException.ThrowIfNull(price);
        return ((input * price.InputPerMillion) + (output * price.OutputPerMillion)) / 1_000_000m;
    }

    private static string Clip(string value, int length) => value.Length > length ? value[..length] : value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} reported {Count} LLM usage records of tenants that do not exist; dropped")]
    private static partial void LogDropped(ILogger logger, string nodeId, int count);
}
