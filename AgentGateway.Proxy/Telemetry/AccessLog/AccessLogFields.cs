namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>The fields an access log line may carry, in the order they are written.</summary>
internal static class AccessLogFields
{
    public const string Time = "time";
    public const string TraceId = "trace_id";
    public const string Tenant = "tenant";
    public const string Route = "route";
    public const string Kind = "kind";
    public const string Method = "method";
    public const string Path = "path";
    public const string Status = "status";
    public const string DurationMs = "duration_ms";
    public const string BytesReceived = "bytes_received";
    public const string BytesSent = "bytes_sent";
    public const string Caller = "caller";
    public const string ClientAddress = "client_address";
    public const string UserAgent = "user_agent";
    public const string Operation = "operation";
    public const string Target = "target";
    public const string Refusal = "refusal";
    public const string InputTokens = "input_tokens";
    public const string OutputTokens = "output_tokens";

    /// <summary>Every field in the order written, each at the index of its <see cref="AccessLogField"/>.</summary>
    public static readonly IReadOnlyList<string> Ordered =
    [
        Time, TraceId, Tenant, Route, Kind, Method, Path, Status, DurationMs, BytesReceived, BytesSent, Caller, ClientAddress,
        UserAgent, Operation, Target, Refusal, InputTokens, OutputTokens,
    ];

    public static readonly IReadOnlySet<string> All = new HashSet<string>(Ordered, StringComparer.Ordinal);
}

/// <summary>The fields by number, in the order of <see cref="AccessLogFields.Ordered"/>.</summary>
internal enum AccessLogField
{
    Time,
    TraceId,
    Tenant,
    Route,
    Kind,
    Method,
    Path,
    Status,
    DurationMs,
    BytesReceived,
    BytesSent,
    Caller,
    ClientAddress,
    UserAgent,
    Operation,
    Target,
    Refusal,
    InputTokens,
    OutputTokens,
}
