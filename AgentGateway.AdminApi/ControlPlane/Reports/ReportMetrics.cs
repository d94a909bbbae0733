using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// What the control plane learns from proxies' reports, as metrics (meter <c>AgentGateway.AdminApi</c>): the spend of
/// LLM requests as priced on arrival, the call records stored, by tenant, and how much of its budget each budgeted API
/// key has spent in the current period (as of the last usage this replica priced for it).
/// </summary>
internal sealed class ReportMetrics
{
    public const string MeterName = "AgentGateway.AdminApi";

    private readonly Counter<double> _cost;
    private readonly Counter<long> _calls;
    private readonly ConcurrentDictionary<(string Tenant, string Key), double> _budgets = new();

    public ReportMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _cost = meter.CreateCounter<double>("agentgateway.llm.cost", "{USD}", "The spend of LLM requests, priced by the model price table when their usage arrived, by tenant and model.");
        _calls = meter.CreateCounter<long>("agentgateway.calls.stored", "{call}", "Call records stored, by tenant, kind and outcome.");
        meter.CreateObservableGauge(
            "agentgateway.llm.budget.spent_ratio",
            () => _budgets.Select(budget => new Measurement<double>(budget.Value, new TagList { { "tenant", budget.Key.Tenant }, { "api_key", budget.Key.Key } })),
            "1",
            "The share of its budget a budgeted API key spent in the current period: 1 or more is exhausted.");
    }

    /// <summary>Notes a budgeted key's spend against its amount.</summary>
    public void Budget(string tenant, string key, decimal spent, double amount) =>
        _budgets[(tenant, key)] = amount > 0 ? (double)spent / amount : 0;

    public void Priced(string tenant, string model, decimal cost) =>
        _cost.Add((double)cost, new TagList { { "tenant", tenant }, { "gen_ai.request.model", model } });

    public void Stored(string tenant, string kind, string outcome) =>
        _calls.Add(1, new TagList { { "tenant", tenant }, { "kind", kind }, { "outcome", outcome } });
}
