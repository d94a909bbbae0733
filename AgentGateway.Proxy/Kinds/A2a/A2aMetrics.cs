using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Kinds.A2a;

/// <summary>
/// The A2A gateway's metrics (meter <c>AgentGateway.A2a</c>): requests and their duration by method, binding
/// and outcome, and the task states agents answered with.
/// </summary>
internal sealed class A2aMetrics
{
    public const string MeterName = "AgentGateway.A2a";

    private readonly MetricLabels _labels;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _taskStates;

    public A2aMetrics(IMeterFactory meterFactory, MetricLabels labels)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _labels = labels;
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("agentgateway.a2a.requests", "{request}", "A2A requests by route, method, binding and outcome.");
        _duration = meter.CreateHistogram<double>("agentgateway.a2a.request.duration", "s", "How long A2A requests took, streams to their end.");
        _taskStates = meter.CreateCounter<long>("agentgateway.a2a.task.states", "{answer}", "Task states in agents' answers.");
    }

    /// <param name="outcome">"ok", "agent_error" (the agent answered 4xx/5xx), "unreachable", "unauthenticated", "forbidden", "invalid".</param>
    public void Record(string route, string method, string binding, string outcome, TimeSpan elapsed, string? taskState)
    {
        var tags = new TagList
        {
            { "a2a.method", method.Length > 0 ? method : "(none)" },
            { "a2a.binding", binding },
            { "outcome", outcome },
        };
        _labels.AddTo(ref tags, route);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (taskState is not null)
        {
            var states = new TagList { { "a2a.method", method }, { "a2a.task.state", taskState } };
            _labels.AddTo(ref states, route);
            _taskStates.Add(1, states);
        }
    }
}
