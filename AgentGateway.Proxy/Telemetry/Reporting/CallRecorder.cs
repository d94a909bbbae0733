using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Proxy.Telemetry.Reporting;

/// <summary>
/// Keeps the records of the calls the proxy served (MCP tool calls, prompt gets and resource reads; A2A operations;
/// LLM requests) for the control plane's audit trail, in memory until the reporter moves them to its
/// <see cref="RecordJournal{T}"/> on disk.
/// </summary>
internal sealed class CallRecorder(TimeProvider time, ILogger<CallRecorder> logger) : PendingRecords<CallRecord>(logger, "call records")
{
    /// <summary>The longest arguments (JSON) a record carries; longer ones are cut and marked.</summary>
    public const int MaxArguments = 4096;

    private const int MaxError = 512;
    private const string Redacted = "[redacted]";

    private static readonly string[] s_secretKeys = ["password", "passwd", "secret", "token", "apikey", "api_key", "api-key", "authorization", "credential", "private_key", "privatekey"];

    /// <summary>A record of a call that ended now, <paramref name="elapsed"/> after it began.</summary>
    public CallRecord Create(string tenant, string route, string kind, string operation, string? caller, TimeSpan elapsed) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Tenant = tenant,
        Route = route,
        Kind = kind,
        Operation = operation,
        Caller = caller ?? string.Empty,
        Outcome = "ok",
        DurationMs = (uint)Math.Clamp(elapsed.TotalMilliseconds, 0, uint.MaxValue),
        TraceId = Activity.Current?.TraceId.ToHexString() ?? string.Empty,
        At = Timestamp.FromDateTimeOffset(time.GetUtcNow() - elapsed),
    };

    /// <summary>Marks <paramref name="record"/> failed with <paramref name="code"/> and a message (clipped).</summary>
    public static void Failed(CallRecord record, string outcome, int code, string? message)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Outcome = outcome;
        record.Code = code;
        record.Error = message is null ? string.Empty : message.Length > MaxError ? message[..MaxError] : message;
    }

    /// <summary>
    /// <paramref name="arguments"/> as JSON for a record: the values of keys that look like secrets (passwords, tokens,
    /// keys, credentials) at any depth replaced, and the whole cut at <see cref="MaxArguments"/> characters.
    /// </summary>
    public static string RedactArguments(JsonNode? arguments)
    {
        if (arguments is null)
        {
            return string.Empty;
        }

        var copy = arguments.DeepClone();
        Redact(copy);
        var json = copy.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return json.Length > MaxArguments ? json[..MaxArguments] + "…(cut)" : json;
    }

    private static void Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var key in map.Select(pair => pair.Key).ToList())
                {
                    var lower = key.ToLowerInvariant();
                    if (s_secretKeys.Any(secret => lower.Contains(secret, StringComparison.Ordinal)))
                    {
                        map[key] = Redacted;
                    }
                    else
                    {
                        Redact(map[key]);
                    }
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Redact(item);
                }

                break;
            default:
                break;
        }
    }
}
