using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentGateway.Proxy.Telemetry;
using AgentGateway.Proxy.Telemetry.Reporting;

namespace AgentGateway.Proxy.Kinds.Llm;

/// <summary>
/// The LLM gateway's metrics (meter <c>AgentGateway.Llm</c>), named after OpenTelemetry's GenAI conventions:
/// requests by route, client API, provider, model and outcome, tokens by type, request duration and time to first token.
/// </summary>
internal sealed class LlmMetrics
{
    public const string MeterName = "AgentGateway.Llm";

    private readonly MetricLabels _labels;
    private readonly Counter<long> _requests;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _providerResponse;
    private readonly Histogram<double> _firstToken;
    private readonly Counter<long> _guards;

    public LlmMetrics(IMeterFactory meterFactory, MetricLabels labels)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _labels = labels;
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("agentgateway.llm.requests", "{request}", "LLM requests by route, provider, model and outcome.");
        _tokens = meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per request, by type (input, output).");
        _duration = meter.CreateHistogram<double>("gen_ai.server.request.duration", "s", "How long LLM requests took as the gateway served them, streams to their end.");
        _providerResponse = meter.CreateHistogram<double>(
            "agentgateway.llm.provider.response_time", "s", "Until a provider's answer began (its headers), each try, by provider and status or error.");
        _firstToken = meter.CreateHistogram<double>("agentgateway.llm.time_to_first_token", "s", "Until a stream's first chunk reached the client.");
        _guards = meter.CreateCounter<long>("agentgateway.llm.guard.actions", "{action}", "Prompts and answers a guard masked or rejected, by route, guard and phase.");
    }

    /// <summary>One try of a provider: its status, or the error (<c>timeout</c>, <c>unreachable</c>) when it gave none.</summary>
    public void RecordTry(string route, string provider, int status, string? error, TimeSpan elapsed)
    {
        var tags = new TagList { { "gen_ai.provider.name", provider } };
        if (error is null)
        {
            tags.Add("http.response.status_code", status);
        }
        else
        {
            tags.Add("error.type", error);
        }

        _labels.AddTo(ref tags, route);
        _providerResponse.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Counts what guards did to one prompt or answer: each guard once per action.</summary>
    public void RecordGuards(string route, string phase, IEnumerable<(string Guard, bool Rejected)> hits)
    {
        foreach (var (guard, rejected) in hits.Distinct())
        {
            var tags = new TagList { { "guard", guard }, { "phase", phase }, { "action", rejected ? "reject" : "mask" } };
            _labels.AddTo(ref tags, route);
            _guards.Add(1, tags);
        }
    }

    /// <param name="outcome">"ok", "provider_error" (the provider answered 4xx), "unavailable" (every try failed), "invalid", "refused", "guarded" (a guard rejected the prompt or the answer).</param>
    public void Record(string route, LlmClientApi api, string? provider, string model, string outcome, LlmUsage? usage, TimeSpan elapsed, TimeSpan? firstToken)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", api.Operation },
            { "agentgateway.llm.api", api.Name },
            { "gen_ai.provider.name", provider ?? "(none)" },
            { "gen_ai.request.model", model.Length > 0 ? model : "(none)" },
            { "outcome", outcome },
        };
        _labels.AddTo(ref tags, route);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
        if (firstToken is { } ttft)
        {
            _firstToken.Record(ttft.TotalSeconds, tags);
        }

        if (usage is { } used)
        {
            RecordTokens(route, api, provider, model, "input", used.InputTokens);
            RecordTokens(route, api, provider, model, "output", used.OutputTokens);
        }
    }

    private void RecordTokens(string route, LlmClientApi api, string? provider, string model, string type, long tokens)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", api.Operation },
            { "agentgateway.llm.api", api.Name },
            { "gen_ai.provider.name", provider ?? "(none)" },
            { "gen_ai.request.model", model.Length > 0 ? model : "(none)" },
            { "gen_ai.token.type", type },
        };
        _labels.AddTo(ref tags, route);
        _tokens.Record(tokens, tags);
    }
}
