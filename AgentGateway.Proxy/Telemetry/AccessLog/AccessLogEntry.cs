namespace AgentGateway.Proxy.Telemetry.AccessLog;

/// <summary>One request's access log line, taken from the request when it ends (its context is reused after).</summary>
internal sealed record AccessLogEntry(
    DateTimeOffset Time,
    string? TraceId,
    GatewayRequestRecord Record,
    string Method,
    string Path,
    int Status,
    double DurationMs,
    long? BytesReceived,
    long BytesSent,
    string? ClientAddress,
    string? UserAgent);
