using System.Collections.Concurrent;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>The proxies connected to this AdminApi instance and what they last ACKed or NACKed.</summary>
internal sealed class ProxyRegistry
{
    private readonly ConcurrentDictionary<Guid, ProxyStatus> _streams = new();

    public IReadOnlyCollection<ProxyStatus> Connected => [.. _streams.Values.OrderBy(status => status.NodeId, StringComparer.Ordinal)];

    public Guid Add(string nodeId, DateTimeOffset connectedAt)
    {
        var id = Guid.NewGuid();
        _streams[id] = new ProxyStatus(nodeId, connectedAt, null, null);
        return id;
    }

    public void Acked(Guid stream, string version) =>
        _streams.AddOrUpdate(stream, _ => throw new InvalidOperationException("Unknown stream."), (_, status) => status with { AckedVersion = version, LastNackError = null, Rejected = [] });

    /// <summary>The proxy applied <paramref name="version"/> but for the resources it lists as refused (each reply lists all of them).</summary>
    public void AppliedWithRejections(Guid stream, string version, IReadOnlyList<AgentGateway.Contracts.V1.RejectedResource> rejected) =>
        _streams.AddOrUpdate(stream, _ => throw new InvalidOperationException("Unknown stream."), (_, status) => status with { AckedVersion = version, LastNackError = null, Rejected = rejected });

    public void Nacked(Guid stream, string error) =>
        _streams.AddOrUpdate(stream, _ => throw new InvalidOperationException("Unknown stream."), (_, status) => status with { LastNackError = error });

    public void Remove(Guid stream) => _streams.TryRemove(stream, out _);
}
