using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentGateway.AdminApi.ControlPlane.Reports;

/// <summary>
/// What the control plane learns from proxies' reports, as metrics (meter <c>AgentGateway.AdminApi</c>): the spend of
/// LLM requests as priced on arrival, and the call records stored, by tenant.
/// </summary>
internal sealed class ReportMetrics
{
    public const string MeterName = "AgentGateway.AdminApi";

    private readonly Counter<double> _cost;
    private readonly Counter<long> _calls;

    public ReportMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _cost = meter.CreateCounter<double>("agentgateway.llm.cost", "{USD}", "The spend of LLM requests, priced by the model price table when their usage arrived, by tenant and model.");
        _calls = meter.CreateCounter<long>("agentgateway.calls.stored", "{call}", "Call records stored, by tenant, kind and outcome.");
    }

    public void Priced(string tenant, string model, decimal cost) =>
        _cost.Add((double)cost, new TagList { { "tenant", tenant }, { "gen_ai.request.model", model } });

    public void Stored(string tenant, string kind, string outcome) =>
        _calls.Add(1, new TagList { { "tenant", tenant }, { "kind", kind }, { "outcome", outcome } });
}
