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
/// their analytics (calls, errors, median and p99 duration, tokens, cost) per group and bucket, computed in Postgres.
/// </summary>
internal static class CallsApi
{
    public const int MaxPage = 500;

    /// <summary>The SQL of each grouping: fixed text, never the request's.</summary>
    private static readonly Dictionary<string, string> s_groupings = new(StringComparer.Ordinal)
    {
        ["route"] = "c.\"Route\"",
        ["target"] = "c.\"Target\"",
        ["operation"] = "c.\"Operation\"",
        ["tool"] = "c.\"Operation\" || ' ' || c.\"Target\"",
        ["kind"] = "c.\"Kind\"",
        ["caller"] = "coalesce(c.\"Caller\", '(anonymous)')",
        ["outcome"] = "c.\"Outcome\"",
    };

    private static readonly CallTotals s_empty = new(0, 0, null, null, 0, 0, 0);

    private static readonly HashSet<string> s_outcomes = new(StringComparer.Ordinal) { "ok", "error", "refused", "unavailable", "cancelled" };

    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapTenantGroup("/calls").WithTags("Calls");
        api.MapGet("", ListCalls).WithName("ListCalls")
            .WithSummary("The calls proxies served for the tenant, newest first, by route, kind, operation, target, caller, outcome and time")
            .RequireTenantRole(TenantRole.Developer, "read the tenant's call records (developers, admins and owners)");
        api.MapGet("/summary", Summarize).WithName("SummarizeCalls")
            .WithSummary("Calls, errors, median and p99 duration, tokens and cost over a period, per route, target, operation, tool, kind, caller or outcome, hourly or daily, of the calls the filters match")
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
    /// <param name="groupBy">'route' (default), 'target', 'operation', 'tool' (operation and target), 'kind', 'caller' or 'outcome'.</param>
    private static async Task<Results<Ok<CallSummaryResponse>, ValidationProblem>> Summarize(
        DateTimeOffset? from, DateTimeOffset? to, string? interval, string? groupBy, string? route, string? kind, string? operation, string? target,
        string? caller, string? outcome, TenantGrant grant, AdminDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validation.Errors();
        if (outcome is not null && !s_outcomes.Contains(outcome))
        {
            errors["outcome"] = [$"must be {string.Join(", ", s_outcomes.Select(name => $"'{name}'"))}."];
        }

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

        // Percentiles do not add up: the points per bucket and group, each group's totals, the tenant's per bucket and
        // over the period are four queries.
        var filter = new CallSummaryFilter(route, kind, operation, target, caller, outcome);
        const string bucketSql = "date_trunc(@unit, c.\"At\" AT TIME ZONE 'UTC')";
        var perBucket = await QueryAsync(db, SummarySql(bucketSql, keySql!), grant, period, filter, cancellationToken);
        var perGroup = await QueryAsync(db, SummarySql("NULL::timestamp", keySql!), grant, period, filter, cancellationToken);
        var overallPerBucket = await QueryAsync(db, SummarySql(bucketSql, "''"), grant, period, filter, cancellationToken);
        var overall = await QueryAsync(db, SummarySql("NULL::timestamp", "''"), grant, period, filter, cancellationToken);

        var groups = perGroup.Select(total => new CallGroup(total.Key, total.Totals(), Points(period, perBucket.Where(row => row.Key == total.Key))))
            .OrderByDescending(group => group.Totals.Calls).ThenBy(group => group.Key, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new CallSummaryResponse(
            period.From, period.To, period.Unit, grouping, overall.SingleOrDefault()?.Totals() ?? s_empty, period.Buckets, groups, Points(period, overallPerBucket)));
    }

    /// <summary>A point per bucket of the period: the row of that bucket, or nothing.</summary>
    private static CallTotals[] Points(UsagePeriod period, IEnumerable<SummaryRow> rows)
    {
        var points = Enumerable.Repeat(s_empty, period.Buckets.Count).ToArray();
        foreach (var row in rows)
        {
            if (row.Bucket is { } bucket && period.IndexOf(bucket) is { } position)
            {
                points[position] = row.Totals();
            }
        }

        return points;
    }

    private static Task<List<SummaryRow>> QueryAsync(
        AdminDbContext db, string sql, TenantGrant grant, UsagePeriod period, CallSummaryFilter filter, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<SummaryRow>(
            sql,
            new NpgsqlParameter("unit", period.Unit), new NpgsqlParameter("tenant", grant.Tenant.Id),
            new NpgsqlParameter("from", period.From), new NpgsqlParameter("to", period.To),
            Text("route", filter.Route), Text("kind", filter.Kind), Text("operation", filter.Operation), Text("target", filter.Target),
            Text("caller", filter.Caller), Text("outcome", filter.Outcome)).ToListAsync(cancellationToken);

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    /// <summary>The summary per bucket (or none) and group; both texts are the fixed ones above, every value a parameter.</summary>
    private static string SummarySql(string bucketSql, string keySql) => $"""
        SELECT {bucketSql} AS "Bucket", {keySql} AS "Key", count(*) AS "Calls",
               count(*) FILTER (WHERE c."Outcome" <> 'ok') AS "Errors",
               percentile_cont(0.5) WITHIN GROUP (ORDER BY c."DurationMs") AS "P50",
               percentile_cont(0.99) WITHIN GROUP (ORDER BY c."DurationMs") AS "P99",
               coalesce(sum(c."InputTokens"), 0)::bigint AS "InputTokens", coalesce(sum(c."OutputTokens"), 0)::bigint AS "OutputTokens",
               coalesce(sum(c."Cost"), 0) AS "Cost"
        FROM call_records c
        WHERE c."TenantId" = @tenant AND c."At" >= @from AND c."At" < @to
          AND (@route IS NULL OR c."Route" = @route) AND (@kind IS NULL OR c."Kind" = @kind)
          AND (@operation IS NULL OR c."Operation" = @operation) AND (@target IS NULL OR c."Target" = @target)
          AND (@caller IS NULL OR c."Caller" = @caller) AND (@outcome IS NULL OR c."Outcome" = @outcome)
        GROUP BY 1, 2
        """;

    private static CallRecordResponse ToResponse(CallRecordEntry entry) => new(
        entry.Id, entry.At, entry.Route, entry.Kind, entry.Operation, entry.Target, entry.Upstream, entry.Caller, entry.Outcome, entry.Code, entry.Error,
        entry.DurationMs, entry.InputTokens, entry.OutputTokens, entry.TraceId, entry.Arguments, entry.Cost);

    /// <summary>What the summary counts: the calls whose fields equal those given.</summary>
    private sealed record CallSummaryFilter(string? Route, string? Kind, string? Operation, string? Target, string? Caller, string? Outcome);

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

        public decimal Cost { get; init; }

        public CallTotals Totals() => new(Calls, Errors, P50, P99, InputTokens, OutputTokens, Cost);
    }
}
