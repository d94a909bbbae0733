namespace AgentGateway.Portal.Telemetry;

/// <summary>Where the Portal links a call's trace id: a trace viewer's page of one trace (<c>Telemetry:TraceUrlTemplate</c>).</summary>
public sealed class TraceLinkOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The placeholder the trace id replaces in <see cref="TraceUrlTemplate"/>.</summary>
    public const string Placeholder = "{traceId}";

    /// <summary>
    /// An absolute URL with <c>{traceId}</c>, e.g. <c>http://localhost:18888/traces/detail/{traceId}</c> for the Aspire
    /// dashboard or <c>http://jaeger:16686/trace/{traceId}</c>; unset, trace ids are shown as text.
    /// </summary>
    public string? TraceUrlTemplate { get; set; }
}
