using AgentGateway.AdminApi.Data;
using AgentGateway.AdminApi.Data.Entities;
using AgentGateway.AdminApi.Domain;
using AgentGateway.AdminApi.Domain.Tenants;
using AgentGateway.AdminApi.Endpoints.Contracts;
using AgentGateway.AdminApi.Endpoints.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentGateway.AdminApi.Endpoints;

/// <summary>
/// The data plane's audit trail: every call proxies served for a tenant (MCP tool calls, prompt gets and resource
/// reads; A2A operations; LLM requests), searchable by route, kind, operation, target, caller, outcome and time; and
/// their analytics (calls, errors, median and p99 duration, tokens) per group and bucket, computed in Postgres.
/// </summary>
internal static class CallsApi
{
    public const int MaxPage = 500;

    /// <summary>The SQL of each grouping: fixed text, never the request's.</summary>
    private static readonly Dictionary<string, string> s_groupings = new(StringComparer.Ordinal)
    {
        ["route"] = "c.\"Route\"",
        ["target"] = "c.\"Target\"",
        ["kind"] = "c.\"Kind\"",
        ["caller"] = "coalesce(c.\"Caller\", '(anonymous)')",
        ["outcome"] = "c.\"Outcome\"",
    };

    private static readonly HashSet<string> s_outcomes = new(StringComparer.Ordinal) { "ok", "error", "refused", "unavailable", "cancelled" };

    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/calls").WithTags("Calls");
        api.MapGet("", ListCalls).WithName("ListCalls")
            .WithSummary("The calls proxies served for the tenant, newest first, by route, kind, operation, target, caller, outcome and time")
            .RequireTenantRole(TenantRole.Developer, "read the tenant's call records (developers, admins and owners)");
        api.MapGet("/summary", Summarize).WithName("SummarizeCalls")
            .WithSummary("Calls, errors, median and p99 duration and tokens over a period, per route, target, kind, caller or outcome, hourly or daily")
            .RequireTenantRole(TenantRole.Developer, "read the tenant's call records (developers, admins and owners)");
        api.MapGet("/{call:guid}", GetCall).WithName("GetCall").WithSummary("One call")
            .RequireTenantRole(TenantRole.Developer, "read the tenant's call records (developers, admins and owners)");
        return endpoints;
    }

    /// <param name="before">Calls before this time only: the last page's oldest, for the next page.</param>
    /// <param name="limit">How many (1-500; default 100).</param>
    private static async Task<Results<Ok<List<CallRecordResponse>>, ValidationProblem>> ListCalls(
        string? route, string? kind, string? operation, string? target, string? caller, string? outcome, DateTimeOffset? from, DateTimeOffset? to,
        DateTimeOffset? before, int? limit, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        if (limit is < 1 or > MaxPage)
        {
            errors["limit"] = [$"must be between 1 and {MaxPage}."];
        }

        if (outcome is not null && !s_outcomes.Contains(outcome))
        {
            errors["outcome"] = [$"must be {string.Join(", ", s_outcomes.Select(name => $"'{name}'"))}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var calls = db.CallRecords.AsNoTracking().Where(entry => entry.TenantId == grant.Tenant.Id);
        calls = route is null ? calls : calls.Where(entry => entry.Route == route);
        calls = kind is null ? calls : calls.Where(entry => entry.Kind == kind);
        calls = operation is null ? calls : calls.Where(entry => entry.Operation == operation);
        calls = target is null ? calls : calls.Where(entry => entry.Target == target);
        calls = caller is null ? calls : calls.Where(entry => entry.Caller == caller);
        calls = outcome is null ? calls : calls.Where(entry => entry.Outcome == outcome);
        calls = from is null ? calls : calls.Where(entry => entry.At >= from);
        calls = to is null ? calls : calls.Where(entry => entry.At < to);
        calls = before is null ? calls : calls.Where(entry => entry.At < before);
        var page = await calls.OrderByDescending(entry => entry.At).ThenByDescending(entry => entry.Id).Take(limit ?? 100).ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<CallRecordResponse>, ProblemHttpResult>> GetCall(
        Guid call, TenantGrant grant, AdminDbContext db, CancellationToken cancellationToken)
    {
        var found = await db.CallRecords.AsNoTracking().SingleOrDefaultAsync(entry => entry.Id == call && entry.TenantId == grant.Tenant.Id, cancellationToken);
        return found is null ? Problems.NotFound("Call", call.ToString()) : TypedResults.Ok(ToResponse(found));
    }

    /// <param name="interval">'day' (default) or 'hour'.</param>
    /// <param name="groupBy">'route' (default), 'target', 'kind', 'caller' or 'outcome'.</param>
    private static async Task<Results<Ok<CallSummaryResponse>, ValidationProblem>> Summarize(
        DateTimeOffset? from, DateTimeOffset? to, string? interval, string? groupBy, string? kind, TenantGrant grant, AdminDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        var period = UsagePeriod.Parse(from, to, interval, time.GetUtcNow(), errors);
        var grouping = groupBy ?? "route";
        if (!s_groupings.TryGetValue(grouping, out var keySql))
        {
            errors["groupBy"] = [$"must be {string.Join(", ", s_groupings.Keys.Select(key => $"'{key}'"))}."];
        }

        if (errors.Count > 0 || period is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Percentiles do not add up: the points per bucket, each group's totals and the tenant's are three queries.
        var perBucket = await QueryAsync(db, SummarySql("date_trunc(@unit, c.\"At\" AT TIME ZONE 'UTC')", keySql!), grant, period, kind, cancellationToken);
        var perGroup = await QueryAsync(db, SummarySql("NULL::timestamp", keySql!), grant, period, kind, cancellationToken);
        var overall = await QueryAsync(db, SummarySql("NULL::timestamp", "''"), grant, period, kind, cancellationToken);

        var empty = new CallTotals(0, 0, null, null, 0, 0);
        var groups = perGroup.Select(total =>
        {
            var points = Enumerable.Repeat(empty, period.Buckets.Count).ToArray();
            foreach (var row in perBucket.Where(row => row.Key == total.Key))
            {
                if (row.Bucket is { } bucket && period.IndexOf(bucket) is { } position)
                {
                    points[position] = row.Totals();
                }
            }

            return new CallGroup(total.Key, total.Totals(), points);
        }).OrderByDescending(group => group.Totals.Calls).ThenBy(group => group.Key, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new CallSummaryResponse(
            period.From, period.To, period.Unit, grouping, overall.SingleOrDefault()?.Totals() ?? empty, period.Buckets, groups));
    }

    private static Task<List<SummaryRow>> QueryAsync(
        AdminDbContext db, string sql, TenantGrant grant, UsagePeriod period, string? kind, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<SummaryRow>(
            sql,
            new NpgsqlParameter("unit", period.Unit), new NpgsqlParameter("tenant", grant.Tenant.Id),
            new NpgsqlParameter("from", period.From), new NpgsqlParameter("to", period.To),
            new NpgsqlParameter("kind", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)kind ?? DBNull.Value }).ToListAsync(cancellationToken);

    /// <summary>The summary per bucket (or none) and group; both texts are the fixed ones above, every value a parameter.</summary>
    private static string SummarySql(string bucketSql, string keySql) => $"""
        SELECT {bucketSql} AS "Bucket", {keySql} AS "Key", count(*) AS "Calls",
               count(*) FILTER (WHERE c."Outcome" <> 'ok') AS "Errors",
               percentile_cont(0.5) WITHIN GROUP (ORDER BY c."DurationMs") AS "P50",
               percentile_cont(0.99) WITHIN GROUP (ORDER BY c."DurationMs") AS "P99",
               coalesce(sum(c."InputTokens"), 0)::bigint AS "InputTokens", coalesce(sum(c."OutputTokens"), 0)::bigint AS "OutputTokens"
        FROM call_records c
        WHERE c."TenantId" = @tenant AND c."At" >= @from AND c."At" < @to AND (@kind IS NULL OR c."Kind" = @kind)
        GROUP BY 1, 2
        """;

    private static CallRecordResponse ToResponse(CallRecordEntry entry) => new(
        entry.Id, entry.At, entry.Route, entry.Kind, entry.Operation, entry.Target, entry.Upstream, entry.Caller, entry.Outcome, entry.Code, entry.Error,
        entry.DurationMs, entry.InputTokens, entry.OutputTokens, entry.TraceId, entry.Arguments);

    /// <summary>One group's summary in one bucket (or over the period), as Postgres returns it.</summary>
    private sealed class SummaryRow
    {
        public DateTime? Bucket { get; init; }

        public string Key { get; init; } = string.Empty;

        public long Calls { get; init; }

        public long Errors { get; init; }

        public double? P50 { get; init; }

        public double? P99 { get; init; }

        public long InputTokens { get; init; }

        public long OutputTokens { get; init; }

        public CallTotals Totals() => new(Calls, Errors, P50, P99, InputTokens, OutputTokens);
    }
}
