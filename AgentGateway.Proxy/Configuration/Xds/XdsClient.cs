using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Core;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using RpcStatus = AgentGateway.Contracts.Rpc.Status;

namespace AgentGateway.Proxy.Configuration.Xds;

/// <summary>
/// Subscribes to the control plane over Delta ADS and applies what it pushes. Each response is applied to a copy of
/// the resources held, validated as a whole, swapped in and ACKed — or NACKed with the reason, keeping the last good
/// config. When the stream breaks the proxy keeps serving and reconnects with exponential backoff and jitter,
/// telling the server which versions it already holds.
/// </summary>
internal sealed partial class XdsClient(
    IOptions<XdsOptions> options,
    IHttpClientFactory httpClientFactory,
    ClientCredentialsTokenSource tokens,
    SnapshotStore store,
    TimeProvider timeProvider,
    ILogger<XdsClient> logger) : BackgroundService
{
    public const string HttpClientName = "xds";

    // Resources held, by type URL then name. A type is present once the control plane has sent it at least once.
    private Dictionary<string, Dictionary<string, HeldResource>> _held = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
        // One subscription per type on the same stream; the node is sent once, with the first.
        foreach (var typeUrl in ResourceTypes.All)
        {
            var subscribe = new DeltaDiscoveryRequest { TypeUrl = typeUrl, Node = typeUrl == ResourceTypes.All[0] ? node : null };
            foreach (var (name, held) in _held.GetValueOrDefault(typeUrl) ?? [])
            {
                subscribe.InitialResourceVersions.Add(name, held.Version);
            }

            await call.RequestStream.WriteAsync(subscribe, cancellationToken);
        }

        LogConnected(logger, options.Value.Address!, _held.Values.Sum(resources => resources.Count));

        var receivedAny = false;
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            receivedAny = true;
            var response = call.ResponseStream.Current;
            var reply = new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce };
            var error = Apply(response);
            if (error is null)
            {
                LogAcked(logger, response.SystemVersionInfo, response.Resources.Count, response.RemovedResources.Count);
            }
            else
            {
                reply.ErrorDetail = new RpcStatus { Code = (int)StatusCode.InvalidArgument, Message = error };
                LogNacked(logger, response.SystemVersionInfo, error);
            }

            await call.RequestStream.WriteAsync(reply, cancellationToken);
        }

        return receivedAny;
    }

    /// <summary>Applies one response; returns null on success or the reason it was rejected.</summary>
    private string? Apply(DeltaDiscoveryResponse response)
    {
        var descriptor = response.TypeUrl switch
        {
            ResourceTypes.Route => Route.Descriptor,
            ResourceTypes.SessionKey => SessionKey.Descriptor,
            ResourceTypes.EgressPolicy => EgressPolicy.Descriptor,
            _ => null,
        };
        if (descriptor is null)
        {
            return $"unsupported resource type '{response.TypeUrl}'";
        }

        var resources = new Dictionary<string, HeldResource>(_held.GetValueOrDefault(response.TypeUrl) ?? [], StringComparer.Ordinal);
        foreach (var removed in response.RemovedResources)
        {
            resources.Remove(removed);
        }

        foreach (var resource in response.Resources)
        {
            if (resource.Resource_ is null || !resource.Resource_.Is(descriptor))
            {
                return $"resource '{resource.Name}' is not a {descriptor.FullName}";
            }

            try
            {
                resources[resource.Name] = new HeldResource(resource.Version, descriptor.Parser.ParseFrom(resource.Resource_.Value));
            }
            catch (InvalidProtocolBufferException exception)
            {
                return $"resource '{resource.Name}' cannot be decoded: {exception.Message}";
            }
        }

        var next = new Dictionary<string, Dictionary<string, HeldResource>>(_held, StringComparer.Ordinal) { [response.TypeUrl] = resources };
        if (!next.TryGetValue(ResourceTypes.Route, out var routes))
        {
            // Session keys come first; the config is applied once the routes it goes with have arrived.
            _held = next;
            return null;
        }

        var keys = next.GetValueOrDefault(ResourceTypes.SessionKey)?.Values.Select(held => (SessionKey)held.Resource).ToList() ?? [];
        var egress = next.GetValueOrDefault(ResourceTypes.EgressPolicy)?.GetValueOrDefault(ResourceTypes.EgressPolicyName)?.Resource as EgressPolicy;
        SnapshotResult result;
        try
        {
            result = GatewaySnapshot.Create(response.SystemVersionInfo, [.. routes.Values.Select(held => (Route)held.Resource)], keys, egress);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A config the proxy cannot build is NACKed like an invalid one; the last good config keeps serving.
            return $"the config cannot be applied: {exception.Message}";
        }

        if (result.Snapshot is null)
        {
            return result.ErrorMessage;
        }

        _held = next;
        store.Apply(result.Snapshot);
        return null;
    }

    private sealed record HeldResource(string Version, IMessage Resource);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the control plane at {Address}, holding {HeldCount} resources")]
    private static partial void LogConnected(ILogger logger, Uri address, int heldCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ACK config {Version}: {Updated} updated, {Removed} removed")]
    private static partial void LogAcked(ILogger logger, string version, int updated, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "NACK config {Version}, keeping the last good config: {Reason}")]
    private static partial void LogNacked(ILogger logger, string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xDS stream to {Address} ended; serving the last good config and retrying in about {Backoff}: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, Uri address, TimeSpan backoff, string reason);
}
