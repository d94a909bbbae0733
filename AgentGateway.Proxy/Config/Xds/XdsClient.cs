using System.Diagnostics;
using RpcStatus = AgentGateway.Contracts.Rpc.Status;
using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Core;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;
using AgentGateway.Proxy.Telemetry;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// Subscribes to the control plane over Delta ADS and applies what it pushes (see <see cref="XdsConfigState"/>). A
/// response whose shared resources (session keys, egress policy, host grants) are invalid is NACKed whole and the last
/// good config keeps serving; a route that cannot be served is refused alone and the rest applies, and every reply
/// lists the routes refused (a NACK detail of <see cref="RejectedResources"/>). When the stream breaks the proxy keeps
/// serving and reconnects with exponential backoff and jitter, telling the server which versions it already holds.
/// </summary>
internal sealed partial class XdsClient(
    IOptions<XdsOptions> options,
    IHttpClientFactory httpClientFactory,
    ClientCredentialsTokenSource tokens,
    SnapshotStore store,
    GatewayMetrics metrics,
    TimeProvider timeProvider,
    ILogger<XdsClient> logger) : BackgroundService
{
    public const string HttpClientName = "xds";

    private readonly XdsConfigState _state = new();
    private int _connected;
    private long _revision;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.Meter.CreateObservableGauge(
            "agentgateway.xds.connected", () => Volatile.Read(ref _connected), "{stream}", "1 while the proxy holds a stream to the control plane, else 0.");
        metrics.Meter.CreateObservableGauge(
            "agentgateway.xds.revision", () => Volatile.Read(ref _revision), "{revision}", "The control plane's config revision the proxy last applied (0 before the first).");
        metrics.Meter.CreateObservableGauge(
            "agentgateway.xds.rejected_routes", () => _state.Rejected.Count, "{route}", "Routes of the applied config the proxy refuses (it serves their last good version, or nothing).");
        var settings = options.Value;
        using var channel = GrpcChannel.ForAddress(settings.Address!, new GrpcChannelOptions
        {
            HttpClient = httpClientFactory.CreateClient(HttpClientName),
            DisposeHttpClient = true,
        });
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        var node = new Node
        {
            Id = string.IsNullOrEmpty(settings.NodeId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : settings.NodeId,
            UserAgentName = "agentgateway-proxy",
            UserAgentVersion = typeof(XdsClient).Assembly.GetName().Version?.ToString() ?? "0",
        };
        if (settings.Tenants.Count > 0)
        {
            // A proxy of some tenants asks for theirs alone: no other tenant's routes or secrets reach it.
            node.Metadata = new Google.Protobuf.WellKnownTypes.Struct
            {
                Fields = { ["tenants"] = Google.Protobuf.WellKnownTypes.Value.ForList([.. settings.Tenants.Select(Google.Protobuf.WellKnownTypes.Value.ForString)]) },
            };
        }

        var backoff = settings.InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var receivedAny = await RunStreamAsync(client, node, stoppingToken);
                if (receivedAny)
                {
                    backoff = settings.InitialBackoff;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (exception is RpcException { StatusCode: StatusCode.Unauthenticated })
                {
                    tokens.Invalidate();
                }

                LogStreamFailed(logger, settings.Address!, backoff, exception.Message);
            }

            // Full jitter on half the delay keeps a fleet of proxies from reconnecting in lockstep.
            var jittered = backoff / 2 + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * backoff.TotalMilliseconds / 2);
            try
            {
                await Task.Delay(jittered, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
        }
    }

    /// <summary>Runs one stream until it ends; returns whether the server sent anything on it.</summary>
    private async Task<bool> RunStreamAsync(
        AggregatedDiscoveryService.AggregatedDiscoveryServiceClient client, Node node, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (await tokens.GetTokenAsync(cancellationToken) is { } token)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        using var call = client.DeltaAggregatedResources(headers, cancellationToken: cancellationToken);
        _state.Reconnecting();
        // One subscription per type on the same stream; the node is sent once, with the first.
        var heldCount = 0;
        foreach (var typeUrl in ResourceTypes.All)
        {
            var subscribe = new DeltaDiscoveryRequest { TypeUrl = typeUrl, Node = typeUrl == ResourceTypes.All[0] ? node : null };
            subscribe.InitialResourceVersions.Add(_state.HeldVersions(typeUrl));
            heldCount += subscribe.InitialResourceVersions.Count;
            await call.RequestStream.WriteAsync(subscribe, cancellationToken);
        }

        LogConnected(logger, options.Value.Address!, heldCount);
        Volatile.Write(ref _connected, 1);
        try
        {
            return await ReceiveAsync(call, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _connected, 0);
        }
    }

    private async Task<bool> ReceiveAsync(AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, CancellationToken cancellationToken)
    {
        var receivedAny = false;
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            receivedAny = true;
            var response = call.ResponseStream.Current;
            var reply = new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce };
            var started = Stopwatch.GetTimestamp();
            var (error, snapshot) = _state.Apply(response);
            metrics.ConfigUpdated("xds", error is not null ? "rejected" : _state.Rejected.Count > 0 ? "partial" : "applied");
            if (error is null && long.TryParse(response.SystemVersionInfo, System.Globalization.CultureInfo.InvariantCulture, out var revision))
            {
                Volatile.Write(ref _revision, revision);
            }

            if (error is not null)
            {
                reply.ErrorDetail = new RpcStatus { Code = (int)StatusCode.InvalidArgument, Message = error };
                LogNacked(logger, response.SystemVersionInfo, error);
            }
            else
            {
                if (snapshot is not null)
                {
                    store.Apply(snapshot);
                }

                reply.ErrorDetail = _state.RejectionStatus();
                if (reply.ErrorDetail is null)
                {
                    LogAcked(logger, response.SystemVersionInfo, response.Resources.Count, response.RemovedResources.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    LogAppliedWithRejections(logger, response.SystemVersionInfo, reply.ErrorDetail.Message);
                }
            }

            await call.RequestStream.WriteAsync(reply, cancellationToken);
        }

        return receivedAny;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the control plane at {Address}, holding {HeldCount} resources")]
    private static partial void LogConnected(ILogger logger, Uri address, int heldCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ACK config {Version}: {Updated} updated, {Removed} removed, applied in {ElapsedMs} ms")]
    private static partial void LogAcked(ILogger logger, string version, int updated, int removed, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applied config {Version} except the routes it refuses: {Reason}")]
    private static partial void LogAppliedWithRejections(ILogger logger, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "NACK config {Version}, keeping the last good config: {Reason}")]
    private static partial void LogNacked(ILogger logger, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xDS stream to {Address} ended; serving the last good config and retrying in about {Backoff}: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, Uri address, TimeSpan backoff, string reason);
}
