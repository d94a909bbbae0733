using AgentGateway.AdminApi.Authorization;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AgentGateway.AdminApi.Xds;

/// <summary>
/// Envoy's incremental aggregated discovery service. Each stream subscribes (wildcard) to the route type; the first
/// response carries every resource whose version differs from what the client says it holds plus the names it holds
/// that no longer exist, and every later response carries only what changed. ACKs and NACKs are matched to the
/// latest nonce; anything else is stale and ignored.
/// </summary>
[Authorize(Policy = AuthenticationExtensions.ProxyPolicy)]
internal sealed partial class AggregatedDiscoveryServer(
    XdsSnapshotCache cache,
    ProxyRegistry registry,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<AggregatedDiscoveryServer> logger) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    public override async Task DeltaAggregatedResources(
        IAsyncStreamReader<DeltaDiscoveryRequest> requestStream,
        IServerStreamWriter<DeltaDiscoveryResponse> responseStream,
        ServerCallContext context)
    {
        // Streams end when the server shuts down, so proxies reconnect (to another replica) instead of holding
        // the shutdown open.
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = stream.Token;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            return;
        }

        var subscribe = requestStream.Current;
        if (subscribe.TypeUrl != ResourceTypes.Route)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Unsupported resource type '{subscribe.TypeUrl}'; this server serves {ResourceTypes.Route}."));
        }

        var nodeId = string.IsNullOrEmpty(subscribe.Node?.Id) ? context.Peer : subscribe.Node.Id;
        var streamId = registry.Add(nodeId, timeProvider.GetUtcNow());
        var state = new StreamState();
        LogSubscribed(logger, nodeId, subscribe.InitialResourceVersions.Count);
        try
        {
            var held = new Dictionary<string, string>(subscribe.InitialResourceVersions, StringComparer.Ordinal);
            var reader = ReadAcksAsync(requestStream, state, streamId, nodeId, cancellationToken);
            XdsSnapshot? sent = null;
            while (!cancellationToken.IsCancellationRequested && !reader.IsCompleted)
            {
                var snapshot = cache.Current;
                // Nothing is sent before the first snapshot is built: an empty answer would tell the proxy that no
                // routes exist.
                if (snapshot.Revision >= 0 && !ReferenceEquals(snapshot, sent))
                {
                    var response = Diff(held, snapshot);
                    if (sent is null || response.Resources.Count > 0 || response.RemovedResources.Count > 0)
                    {
                        response.Nonce = state.NextNonce(snapshot.SystemVersion);
                        await responseStream.WriteAsync(response, cancellationToken);
                    }

                    sent = snapshot;
                }

                await Task.WhenAny(cache.WaitForChangeAsync(snapshot, cancellationToken), reader);
            }

            await reader;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The proxy went away.
        }
        finally
        {
            registry.Remove(streamId);
            LogDisconnected(logger, nodeId);
        }
    }

    /// <summary>What the client must receive to hold <paramref name="snapshot"/>; updates <paramref name="held"/> to match.</summary>
    private static DeltaDiscoveryResponse Diff(Dictionary<string, string> held, XdsSnapshot snapshot)
    {
        var response = new DeltaDiscoveryResponse { TypeUrl = ResourceTypes.Route, SystemVersionInfo = snapshot.SystemVersion };
        foreach (var (name, resource) in snapshot.Resources)
        {
            if (!held.TryGetValue(name, out var version) || version != resource.Version)
            {
                response.Resources.Add(resource);
                held[name] = resource.Version;
            }
        }

        foreach (var name in held.Keys.Where(name => !snapshot.Resources.ContainsKey(name)).ToList())
        {
            response.RemovedResources.Add(name);
            held.Remove(name);
        }

        return response;
    }

    private async Task ReadAcksAsync(
        IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, StreamState state, Guid streamId, string nodeId, CancellationToken cancellationToken)
    {
        while (await requestStream.MoveNext(cancellationToken))
        {
            var request = requestStream.Current;
            if (string.IsNullOrEmpty(request.ResponseNonce) || !state.IsLatest(request.ResponseNonce, out var version))
            {
                continue;
            }

            if (request.ErrorDetail is { } error)
            {
                registry.Nacked(streamId, error.Message);
                LogNacked(logger, nodeId, version, error.Message);
            }
            else
            {
                registry.Acked(streamId, version);
                LogAcked(logger, nodeId, version);
            }
        }
    }

    /// <summary>The latest nonce sent on a stream; written by the sender, read by the ACK reader.</summary>
    private sealed class StreamState
    {
        private readonly Lock _lock = new();
        private string _nonce = string.Empty;
        private string _version = string.Empty;

        public string NextNonce(string version)
        {
            lock (_lock)
            {
                _nonce = Guid.NewGuid().ToString("N");
                _version = version;
                return _nonce;
            }
        }

        public bool IsLatest(string nonce, out string version)
        {
            lock (_lock)
            {
                version = _version;
                return nonce == _nonce;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {NodeId} subscribed holding {HeldCount} resources")]
    private static partial void LogSubscribed(ILogger logger, string nodeId, int heldCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {NodeId} disconnected")]
    private static partial void LogDisconnected(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy {NodeId} ACKed config {Version}")]
    private static partial void LogAcked(ILogger logger, string nodeId, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} NACKed config {Version}: {Error}")]
    private static partial void LogNacked(ILogger logger, string nodeId, string version, string error);
}
