using AgentGateway.AdminApi.Domain.Identity;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// Envoy's incremental aggregated discovery service. Each stream subscribes (wildcard) to one or more resource types;
/// the first response of a type carries every resource whose version differs from what the client says it holds plus the names it holds
/// that no longer exist, and every later response carries only what changed. ACKs and NACKs are matched to the
/// latest nonce; anything else is stale and ignored.
/// </summary>
[Authorize(Policy = AuthorizationPolicies.Proxy)]
internal sealed partial class AggregatedDiscoveryServer(
    XdsSnapshotCache cache,
    ProxyRegistry registry,
    XdsMetrics metrics,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    Microsoft.Extensions.Options.IOptions<XdsScopeOptions> scopes,
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
        var nodeId = string.IsNullOrEmpty(subscribe.Node?.Id) ? context.Peer : subscribe.Node.Id;
        var scope = ScopeOf(context, subscribe.Node);
        var state = new StreamState();
        state.Subscribe(subscribe);
        var streamId = registry.Add(nodeId, timeProvider.GetUtcNow());
        LogSubscribed(logger, nodeId, subscribe.TypeUrl, subscribe.InitialResourceVersions.Count);
        try
        {
            var reader = ReadRequestsAsync(requestStream, state, streamId, nodeId, cancellationToken);
            var sent = new Dictionary<string, XdsSnapshot>(StringComparer.Ordinal);
            while (!cancellationToken.IsCancellationRequested && !reader.IsCompleted)
            {
                var snapshot = cache.Current;
                var subscribed = state.Subscriptions;
                // Nothing is sent before the first snapshot is built: an empty answer would tell the proxy that no
                // resources exist. Types go out in the order proxies apply them (session keys before routes).
                if (snapshot.Revision >= 0)
                {
                    foreach (var typeUrl in ResourceTypes.All.Where(subscribed.ContainsKey))
                    {
                        if (sent.TryGetValue(typeUrl, out var previous) && ReferenceEquals(previous, snapshot))
                        {
                            continue;
                        }

                        var response = Diff(typeUrl, subscribed[typeUrl], snapshot, scope);
                        if (!sent.ContainsKey(typeUrl) || response.Resources.Count > 0 || response.RemovedResources.Count > 0)
                        {
                            response.Nonce = state.NextNonce(typeUrl, snapshot.SystemVersion);
                            await responseStream.WriteAsync(response, cancellationToken);
                        }

                        sent[typeUrl] = snapshot;
                    }
                }

                await Task.WhenAny(cache.WaitForChangeAsync(snapshot, cancellationToken), state.WaitForSubscriptionAsync(subscribed.Count, cancellationToken), reader);
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

    /// <summary>
    /// The tenants a stream receives: those its credential is limited to (<see cref="XdsScopeOptions"/>), narrowed to
    /// those its node asks for (<c>metadata.tenants</c>); null for every tenant.
    /// </summary>
    private HashSet<string>? ScopeOf(ServerCallContext context, AgentGateway.Contracts.Envoy.Core.Node? node)
    {
        var allowed = scopes.Value.TenantsOf(context.GetHttpContext().User);
        var asked = node?.Metadata?.Fields.TryGetValue("tenants", out var value) == true && value.ListValue is { } list
            ? list.Values.Select(item => item.StringValue).Where(name => name.Length > 0).ToHashSet(StringComparer.Ordinal)
            : null;
        if (allowed is not null && asked is not null)
        {
            allowed.IntersectWith(asked);
            return allowed;
        }

        return allowed ?? asked;
    }

    /// <summary>
    /// What the client must receive to hold <paramref name="snapshot"/>'s resources of one type within its
    /// <paramref name="scope"/> of tenants; updates <paramref name="held"/> to match.
    /// </summary>
    private static DeltaDiscoveryResponse Diff(string typeUrl, Dictionary<string, string> held, XdsSnapshot snapshot, HashSet<string>? scope)
    {
        var resources = snapshot.Of(typeUrl);
        var response = new DeltaDiscoveryResponse { TypeUrl = typeUrl, SystemVersionInfo = snapshot.SystemVersion };
        foreach (var (name, resource) in resources)
        {
            if (scope is not null && TenantOf(typeUrl, name, snapshot) is { } tenant && !scope.Contains(tenant))
            {
                continue;
            }

            if (!held.TryGetValue(name, out var version) || version != resource.Version)
            {
                response.Resources.Add(resource);
                held[name] = resource.Version;
            }
        }

        foreach (var name in held.Keys.Where(name => !resources.ContainsKey(name)
            || (scope is not null && TenantOf(typeUrl, name, snapshot) is { } tenant && !scope.Contains(tenant))).ToList())
        {
            response.RemovedResources.Add(name);
            held.Remove(name);
        }

        return response;
    }

    /// <summary>The tenant a resource belongs to: a route's (named <c>{tenant}/{route}</c>) or a host grant's; null for the shared types.</summary>
    private static string? TenantOf(string typeUrl, string name, XdsSnapshot snapshot) => typeUrl switch
    {
        ResourceTypes.Route => name.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? name[..slash] : name,
        ResourceTypes.HostGrant => snapshot.GrantTenants.GetValueOrDefault(name),
        _ => null,
    };

    private async Task ReadRequestsAsync(
        IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, StreamState state, Guid streamId, string nodeId, CancellationToken cancellationToken)
    {
        while (await requestStream.MoveNext(cancellationToken))
        {
            var request = requestStream.Current;
            if (string.IsNullOrEmpty(request.ResponseNonce))
            {
                // A subscription to another type on the same stream.
                state.Subscribe(request);
                LogSubscribed(logger, nodeId, request.TypeUrl, request.InitialResourceVersions.Count);
                continue;
            }

            if (!state.IsLatest(request.ResponseNonce, out var version))
            {
                continue;
            }

            if (request.ErrorDetail is { } error && RejectedOf(error) is { } rejected)
            {
                // Applied, except the resources listed: the latest reply lists every one the proxy refuses.
                registry.AppliedWithRejections(streamId, version, rejected);
                metrics.Replied("partial");
                LogAppliedWithRejections(logger, nodeId, version, error.Message);
            }
            else if (request.ErrorDetail is { } nack)
            {
                registry.Nacked(streamId, nack.Message);
                metrics.Replied("nack");
                LogNacked(logger, nodeId, version, nack.Message);
            }
            else
            {
                registry.Acked(streamId, version);
                metrics.Replied("ack");
                LogAcked(logger, nodeId, version);
            }
        }
    }

    /// <summary>The resources a reply's error detail lists as refused while the rest applied, or null for a NACK of the whole response.</summary>
    private static List<RejectedResource>? RejectedOf(AgentGateway.Contracts.Rpc.Status error)
    {
        foreach (var detail in error.Details)
        {
            if (detail.TryUnpack<RejectedResources>(out var rejected))
            {
                return [.. rejected.Resources];
            }
        }

        return null;
    }

    /// <summary>
    /// A stream's subscriptions (type → names and versions the client holds) and the latest nonce sent; written by
    /// the sender and the request reader.
    /// </summary>
    private sealed class StreamState
    {
        private readonly Lock _lock = new();
        private Dictionary<string, Dictionary<string, string>> _subscriptions = new(StringComparer.Ordinal);
        private TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Dictionary<string, (string Nonce, string Version)> _latest = new(StringComparer.Ordinal);

        /// <summary>A copy-on-write view: the sender reads it without locking.</summary>
        public Dictionary<string, Dictionary<string, string>> Subscriptions => Volatile.Read(ref _subscriptions);

        public void Subscribe(DeltaDiscoveryRequest request)
        {
            if (!ResourceTypes.All.Contains(request.TypeUrl))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Unsupported resource type '{request.TypeUrl}'; this server serves {string.Join(", ", ResourceTypes.All)}."));
            }

            lock (_lock)
            {
                if (_subscriptions.ContainsKey(request.TypeUrl))
                {
                    return;
                }

                var next = new Dictionary<string, Dictionary<string, string>>(_subscriptions, StringComparer.Ordinal)
                {
                    [request.TypeUrl] = new(request.InitialResourceVersions, StringComparer.Ordinal),
                };
                Volatile.Write(ref _subscriptions, next);
                _subscribed.TrySetResult();
                _subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        /// <summary>Completes when the stream has more than <paramref name="known"/> subscriptions.</summary>
        public Task WaitForSubscriptionAsync(int known, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _subscriptions.Count > known ? Task.CompletedTask : _subscribed.Task.WaitAsync(cancellationToken);
            }
        }

        /// <summary>A new nonce for a response of <paramref name="typeUrl"/>; earlier nonces of that type become stale.</summary>
        public string NextNonce(string typeUrl, string version)
        {
            lock (_lock)
            {
                var nonce = Guid.NewGuid().ToString("N");
                _latest[typeUrl] = (nonce, version);
                return nonce;
            }
        }

        /// <summary>Whether <paramref name="nonce"/> is the latest of its type, and the config version it carried.</summary>
        public bool IsLatest(string nonce, out string version)
        {
            lock (_lock)
            {
                foreach (var (latest, latestVersion) in _latest.Values)
                {
                    if (latest == nonce)
                    {
                        version = latestVersion;
                        return true;
                    }
                }

                version = string.Empty;
                return false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {NodeId} subscribed to {TypeUrl} holding {HeldCount} resources")]
    private static partial void LogSubscribed(ILogger logger, string nodeId, string typeUrl, int heldCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {NodeId} disconnected")]
    private static partial void LogDisconnected(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Proxy {NodeId} ACKed config {Version}")]
    private static partial void LogAcked(ILogger logger, string nodeId, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} applied config {Version} but refuses: {Error}")]
    private static partial void LogAppliedWithRejections(ILogger logger, string nodeId, string version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {NodeId} NACKed config {Version}: {Error}")]
    private static partial void LogNacked(ILogger logger, string nodeId, string version, string error);
}
