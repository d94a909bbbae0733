namespace AgentGateway.Proxy.Configuration;

/// <summary>A built snapshot, or the validation errors that prevented it.</summary>
internal sealed record SnapshotResult(GatewaySnapshot? Snapshot, IReadOnlyList<string> Errors)
{
    /// <summary>The errors joined into one message, as carried in an xDS NACK or a log line.</summary>
    public string ErrorMessage => string.Join("; ", Errors);
}
