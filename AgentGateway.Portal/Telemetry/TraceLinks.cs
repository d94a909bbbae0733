using Microsoft.Extensions.Options;

namespace AgentGateway.Portal.Telemetry;

/// <summary>The trace viewer's page of a trace, when one is configured.</summary>
public sealed class TraceLinks(IOptions<TraceLinkOptions> options)
{
    /// <summary>The URL of the trace's page, or null when no viewer is configured or there is no trace id.</summary>
    public Uri? For(string? traceId) =>
        string.IsNullOrWhiteSpace(traceId) || string.IsNullOrEmpty(options.Value.TraceUrlTemplate)
            ? null
            : new Uri(options.Value.TraceUrlTemplate.Replace(TraceLinkOptions.Placeholder, Uri.EscapeDataString(traceId), StringComparison.Ordinal));
}
