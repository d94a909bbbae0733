using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// A tenant's LLM usage, from the records proxies report: requests, tokens and spend over a period, per model, API
/// key, provider, route or caller, in hourly or daily buckets (summed in Postgres); and the latest records.
/// </summary>
internal static class LlmUsageApi
{
    public const string ByModel = "model";
    public const string ByApiKey = "api-key";
    public const string ByProvider = "provider";
    public const string ByRoute = "route";
    public const string BySubject = "subject";

    /// <summary>The SQL of each grouping: fixed text, never the request's.</summary>
    private static readonly Dictionary<string, string> s_groupings = new(StringComparer.Ordinal)
    {
        [ByModel] = "u.\"Model\"",
        [ByApiKey] = "coalesce(k.\"Name\", '(no key)')",
        [ByProvider] = "u.\"Provider\"",
        [ByRoute] = "u.\"Route\"",
        [BySubject] = "coalesce(u.\"Subject\", '(anonymous)')",
    };

    public static IEndpointRouteBuilder MapLlmUsageApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/llm-usage").WithTags("LLM usage");
        api.MapGet("", GetUsage).WithName("GetLlmUsage")
            .WithSummary("Requests, tokens and spend of the tenant's LLM routes over a period, per model, API key, provider, route or caller, hourly or daily");
        api.MapGet("/records", ListRecords).WithName("ListLlmUsageRecords").WithSummary("The tenant's latest LLM requests, newest first");
        return endpoints;
    }

    /// <param name="from">Start (inclusive, ISO 8601); default: 7 days before <paramref name="to"/>.</param>
    /// <param name="to">End (exclusive); default: now.</param>
    /// <param name="interval">'day' (default) or 'hour'.</param>
    /// <param name="groupBy">'model' (default), 'api-key', 'provider', 'route' or 'subject'.</param>
    private static async Task<Results<Ok<LlmUsageResponse>, ValidationProblem>> GetUsage(
        DateTimeOffset? from, DateTimeOffset? to, string? interval, string? groupBy, TenantGrant grant, AdminDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var period = UsagePeriod.Parse(from, to, interval, time.GetUtcNow(), errors);
        var grouping = groupBy ?? ByModel;
        if (!s_groupings.TryGetValue(grouping, out var keySql))
        {
            errors["groupBy"] = [$"must be {string.Join(", ", s_groupings.Keys.Select(key => $"'{key}'"))}."];
        }

        if (errors.Count > 0 || period is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The key's SQL is one of the fixed texts above; every value goes as a parameter.
        var rows = await db.Database.SqlQueryRaw<UsageRow>(
            UsageSql(keySql!),
            new NpgsqlParameter("unit", period.Unit), new NpgsqlParameter("tenant", grant.Tenant.Id),
            new NpgsqlParameter("from", period.From), new NpgsqlParameter("to", period.To)).ToListAsync(cancellationToken);

        var buckets = period.Buckets;
        var groups = rows.GroupBy(row => row.Key, StringComparer.Ordinal).Select(group =>
        {
            var points = new LlmUsageTotals[buckets.Count];
            Array.Fill(points, new LlmUsageTotals(0, 0, 0, 0, 0));
            foreach (var row in group)
            {
                if (period.IndexOf(row.Bucket) is { } position)
                {
                    points[position] = new LlmUsageTotals(row.Requests, row.InputTokens, row.OutputTokens, row.Cost, row.Unpriced);
                }
            }

            return new LlmUsageGroup(group.Key, Sum(points), points);
        }).OrderByDescending(group => group.Totals.Cost).ThenByDescending(group => group.Totals.Requests).ThenBy(group => group.Key, StringComparer.Ordinal).ToList();

        return TypedResults.Ok(new LlmUsageResponse(
            period.From, period.To, period.Unit, grouping, ModelPricesApi.Currency, Sum(groups.Select(group => group.Totals)), buckets, groups));
    }

    /// <param name="limit">How many (1-500; default 50).</param>
    private static async Task<Results<Ok<List<LlmUsageRecordResponse>>, ValidationProblem>> ListRecords(
        int? limit, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be between 1 and 500."] });
        }

        var records = await db.LlmUsage.AsNoTracking().Where(entry => entry.TenantId == grant.Tenant.Id)
            .OrderByDescending(entry => entry.At).ThenByDescending(entry => entry.Id).Take(limit ?? 50)
            .GroupJoin(db.ApiKeys, entry => entry.ApiKeyId, key => (Guid?)key.Id, (entry, keys) => new { entry, keys })
            .SelectMany(pair => pair.keys.DefaultIfEmpty(), (pair, key) => new { pair.entry, KeyName = key == null ? null : key.Name })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(records.Select(record => new LlmUsageRecordResponse(
            record.entry.At, record.entry.Route, record.KeyName, record.entry.Subject, record.entry.Model, record.entry.Provider, record.entry.ProviderModel,
            record.entry.InputTokens, record.entry.OutputTokens, record.entry.Estimated, record.entry.Cost, record.entry.DurationMs,
            record.entry.TimeToFirstTokenMs, record.entry.Outcome, record.entry.Api)).OrderByDescending(record => record.At).ToList());
    }

    /// <summary>The sums per bucket and group; <c>{key}</c> is the grouping's SQL.</summary>
    private const string UsageQuery = """
        SELECT date_trunc(@unit, u."At" AT TIME ZONE 'UTC') AS "Bucket", {key} AS "Key", count(*) AS "Requests",
               coalesce(sum(u."InputTokens"), 0)::bigint AS "InputTokens", coalesce(sum(u."OutputTokens"), 0)::bigint AS "OutputTokens",
               coalesce(sum(u."Cost"), 0) AS "Cost", count(*) FILTER (WHERE u."Cost" IS NULL) AS "Unpriced"
        FROM llm_usage u LEFT JOIN api_keys k ON k."Id" = u."ApiKeyId"
        WHERE u."TenantId" = @tenant AND u."At" >= @from AND u."At" < @to
        GROUP BY 1, 2
        """;

    private static string UsageSql(string keySql) => UsageQuery.Replace("{key}", keySql, StringComparison.Ordinal);

    private static LlmUsageTotals Sum(IEnumerable<LlmUsageTotals> totals)
    {
        var list = totals.ToList();
        return new LlmUsageTotals(list.Sum(total => total.Requests), list.Sum(total => total.InputTokens), list.Sum(total => total.OutputTokens),
            list.Sum(total => total.Cost), list.Sum(total => total.UnpricedRequests));
    }

    /// <summary>One group's sums in one bucket, as Postgres returns them.</summary>
    private sealed class UsageRow
    {
        public DateTime Bucket { get; init; }

        public string Key { get; init; } = string.Empty;

        public long Requests { get; init; }

        public long InputTokens { get; init; }

        public long OutputTokens { get; init; }

        public decimal Cost { get; init; }

        public long Unpriced { get; init; }
    }
}
