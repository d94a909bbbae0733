using System.Globalization;
using System.Text.Json;
using AgentGateway.Portal.Services;
using AgentGateway.Portal.Telemetry;
using Microsoft.AspNetCore.Components;

namespace AgentGateway.Portal.Components.Pages.Calls;

/// <summary>One call as recorded: every field, its arguments when recorded, and its trace in the trace viewer when one is configured.</summary>
public sealed partial class CallDetail
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private CallRecordInfo? _call;
    private AdminApiException? _error;

    [Parameter]
    public string Tenant { get; set; } = string.Empty;

    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    private AdminApiClient Api { get; set; } = default!;

    [Inject]
    private TraceLinks TraceLinks { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _call = await Api.GetCallAsync(Tenant, Id);
            _error = null;
        }
        catch (AdminApiException exception)
        {
            _call = null;
            _error = exception;
        }
    }

    /// <summary>Every field of the record (arguments aside), by its name in the API, its label and its text.</summary>
    internal static IEnumerable<(string Name, string Label, string Value)> Fields(CallRecordInfo call)
    {
        ArgumentNullException.ThrowIfNull(call);
        yield return ("id", "Id", call.Id.ToString());
        yield return ("at", "When (UTC)", call.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        yield return ("route", "Route", call.Route);
        yield return ("kind", "Kind", call.Kind);
        yield return ("operation", "Operation", call.Operation);
        yield return ("target", "Tool, agent or model", call.Target.Length > 0 ? call.Target : "–");
        yield return ("upstream", "Upstream", call.Upstream ?? "–");
        yield return ("caller", "Caller", call.Caller ?? "anonymous");
        yield return ("outcome", "Outcome", call.Outcome);
        yield return ("code", "Code", call.Code.ToString(CultureInfo.InvariantCulture));
        yield return ("error", "Error", call.Error ?? "–");
        yield return ("durationMs", "Duration", string.Create(CultureInfo.InvariantCulture, $"{call.DurationMs} ms"));
        yield return ("tokens", "Tokens in / out", string.Create(CultureInfo.InvariantCulture, $"{call.InputTokens} / {call.OutputTokens}"));
        if (call.Kind == "llm")
        {
            yield return ("cost", "Cost", call.Cost is null ? "unpriced (the model has no price)" : CallCharts.Usd(call.Cost));
        }

        yield return ("traceId", "Trace", call.TraceId ?? "–");
    }

    /// <summary>The recorded arguments, indented when they are JSON; null when not recorded.</summary>
    private static string? Arguments(CallRecordInfo call)
    {
        if (call.Arguments is not { Length: > 0 } arguments)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(arguments);
            return JsonSerializer.Serialize(json.RootElement, s_indented);
        }
        catch (JsonException)
        {
            return arguments;
        }
    }
}
