namespace AgentGateway.Proxy.Telemetry;

/// <summary>Configuration section <c>Telemetry</c>: the labels of the proxy's metrics and its access log.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public MetricLabelOptions Metrics { get; set; } = new();

    public AccessLogOptions AccessLog { get; set; } = new();
}

/// <summary>
/// Which labels name a route in metrics. Off by default, so a series count does not grow with tenants and routes; turn
/// them on where the metrics backend takes the cardinality (a few thousand routes is fine for Prometheus).
/// </summary>
internal sealed class MetricLabelOptions
{
    /// <summary>Label <c>tenant</c>: the route's tenant.</summary>
    public bool Tenant { get; set; }

    /// <summary>Label <c>route</c>: <c>{tenant}/{route}</c> (and, on MCP client metrics, the target's name).</summary>
    public bool Route { get; set; }
}

/// <summary>The access log: one JSON line a request, written off the request's path.</summary>
internal sealed class AccessLogOptions
{
    public const string StandardOutput = "stdout";

    public bool Enabled { get; set; }

    /// <summary><c>stdout</c>, or a file the lines are appended to.</summary>
    public string Path { get; set; } = StandardOutput;

    /// <summary>The share of requests logged, 0 to 1 (answers of 400 and above count in full when <see cref="ErrorsAlways"/>).</summary>
    public double SampleRate { get; set; } = 1;

    public bool ErrorsAlways { get; set; } = true;

    /// <summary>The fields written (see <see cref="AccessLogFields"/>); empty: all of them.</summary>
    public List<string> Fields { get; set; } = [];

    /// <summary>
    /// Whether the path carries its query string; values of parameters that often hold secrets (tokens, keys,
    /// signatures, codes, passwords) are written as <c>[redacted]</c>.
    /// </summary>
    public bool IncludeQuery { get; set; }

    /// <summary>How many lines may wait for the writer; beyond that they are dropped and counted, never the request held.</summary>
    public int BufferSize { get; set; } = 10_000;
}
