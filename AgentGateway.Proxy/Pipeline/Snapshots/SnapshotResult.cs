namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>
/// A built snapshot with the routes it refused, or the errors of the shared resources that prevented it (then
/// <see cref="Snapshot"/> is null).
/// </summary>
internal sealed record SnapshotResult(GatewaySnapshot? Snapshot, IReadOnlyList<string> Errors, IReadOnlyList<RejectedRoute> Rejected)
{
    /// <summary>Everything wrong, joined into one message, as carried in an xDS NACK or a log line.</summary>
    public string ErrorMessage => string.Join("; ", Errors.Concat(Rejected.Select(rejected => rejected.ToString())));
}

/// <summary>
/// A route a snapshot refused, named as its xDS resource (<c>{tenant}/{route}</c>), and why; when
/// <see cref="PreviousServed"/>, the version served before it stays in its place.
/// </summary>
internal sealed record RejectedRoute(string Name, IReadOnlyList<string> Errors, bool PreviousServed = false)
{
    public string Message => string.Join("; ", Errors);

    public override string ToString() => $"route '{Name}' refused{(PreviousServed ? " (its previous version is served)" : string.Empty)}: {Message}";
}
