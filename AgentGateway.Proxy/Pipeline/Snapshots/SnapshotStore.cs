using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Upstream;
using Microsoft.Extensions.Primitives;

namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>
/// Holds the running <see cref="GatewaySnapshot"/>. Readers take <see cref="Current"/> without locking; a new
/// snapshot replaces the old one in a single reference swap and fires the change token.
/// </summary>
internal sealed partial class SnapshotStore(ILogger<SnapshotStore> logger) : IEgressPolicySource
{
    private GatewaySnapshot? _current;
    private CancellationTokenSource _changeSource = new();

    /// <summary>The running snapshot, or null until the first config has been applied.</summary>
    public GatewaySnapshot? Current => Volatile.Read(ref _current);

    /// <summary>The running snapshot's egress policy, for the connections it governs.</summary>
    public EgressPolicy? EgressPolicy => Current?.Egress;

    /// <summary>Fires once when the snapshot is next replaced.</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changeSource).Token);

    public void Apply(GatewaySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        var previous = Interlocked.Exchange(ref _changeSource, new CancellationTokenSource());
        LogApplied(logger, snapshot.Version, snapshot.Routes.Count);
        previous.Cancel();
        previous.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied gateway config version {Version} with {RouteCount} routes")]
    private static partial void LogApplied(ILogger logger, string version, int routeCount);
}
