using System.Collections.Frozen;
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

    /// <summary>The task states of both versions (v0.3's names, v1.0's enum names); any other an agent answers is <see cref="MetricLabels.Other"/>.</summary>
    private static readonly FrozenSet<string> s_states = new[]
    {
        "submitted", "working", "input-required", "auth-required", "completed", "canceled", "failed", "rejected", "unknown",
        "TASK_STATE_SUBMITTED", "TASK_STATE_WORKING", "TASK_STATE_INPUT_REQUIRED", "TASK_STATE_AUTH_REQUIRED", "TASK_STATE_COMPLETED",
        "TASK_STATE_CANCELED", "TASK_STATE_FAILED", "TASK_STATE_REJECTED", "TASK_STATE_UNSPECIFIED",
    }.ToFrozenSet(StringComparer.Ordinal);

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
        // Methods and states are labels only as the protocol names them: what callers and agents make up is one series.
        method = method.Length == 0 ? "(none)" : A2aMethods.IsKnown(method) ? method : MetricLabels.Other;
        var tags = new TagList
        {
            { "a2a.method", method },
            { "a2a.binding", binding },
            { "outcome", outcome },
        };
        _labels.AddTo(ref tags, route);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (taskState is not null)
        {
            var states = new TagList { { "a2a.method", method }, { "a2a.task.state", s_states.Contains(taskState) ? taskState : MetricLabels.Other } };
            _labels.AddTo(ref states, route);
            _taskStates.Add(1, states);
        }
    }
}
