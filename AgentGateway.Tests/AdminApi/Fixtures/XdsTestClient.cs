using AgentGateway.Contracts.Envoy.Core;
using AgentGateway.Contracts.Envoy.Discovery;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace AgentGateway.Tests.AdminApi.Fixtures;

/// <summary>
/// A raw Delta ADS client as a proxy would be: one stream, subscribed to the given types, ACKing every response and
/// keeping the latest version of each resource it was sent.
/// </summary>
internal sealed class XdsTestClient : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> _call;
    private readonly Dictionary<string, Dictionary<string, Resource>> _held = new(StringComparer.Ordinal);

    private XdsTestClient(GrpcChannel channel, AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, string nodeId)
    {
        _channel = channel;
        _call = call;
        NodeId = nodeId;
    }

    /// <summary>The node id the client subscribed with.</summary>
    public string NodeId { get; }

    /// <summary>What the client says of each response: null ACKs it; a status NACKs it, or lists resources refused.</summary>
    public Func<DeltaDiscoveryResponse, AgentGateway.Contracts.Rpc.Status?> Reply { get; set; } = _ => null;

    public static Task<XdsTestClient> ConnectAsync(ControlPlaneFixture controlPlane, CancellationToken cancellationToken, params string[] typeUrls) =>
        ConnectAsync(controlPlane, controlPlane.XdsUrl, cancellationToken, typeUrls);

    public static Task<XdsTestClient> ConnectAsync(ControlPlaneFixture controlPlane, Uri xdsUrl, CancellationToken cancellationToken, params string[] typeUrls) =>
        ConnectAsync(controlPlane, xdsUrl, null, cancellationToken, typeUrls);

    /// <param name="tenants">The tenants the client's node asks for (its <c>tenants</c> metadata); null asks for every tenant.</param>
    public static async Task<XdsTestClient> ConnectAsync(
        ControlPlaneFixture controlPlane, Uri xdsUrl, IReadOnlyList<string>? tenants, CancellationToken cancellationToken, params string[] typeUrls)
    {
        var channel = GrpcChannel.ForAddress(xdsUrl);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        var headers = new Metadata { { "authorization", "Bearer " + await controlPlane.GetTokenAsync("proxy", cancellationToken) } };
        var call = client.DeltaAggregatedResources(headers, cancellationToken: cancellationToken);
        var node = new Node { Id = "test-" + Guid.NewGuid().ToString("N")[..8] };
        if (tenants is not null)
        {
            node.Metadata = new Google.Protobuf.WellKnownTypes.Struct
            {
                Fields = { ["tenants"] = Google.Protobuf.WellKnownTypes.Value.ForList([.. tenants.Select(Google.Protobuf.WellKnownTypes.Value.ForString)]) },
            };
        }

        var nodeId = node.Id;
        foreach (var typeUrl in typeUrls)
        {
            await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = node, TypeUrl = typeUrl }, cancellationToken);
            node = null;
        }

        return new XdsTestClient(channel, call, nodeId);
    }

    /// <summary>Reads responses until the held resources of <paramref name="typeUrl"/> satisfy <paramref name="condition"/>.</summary>
    public async Task<T> WaitForAsync<T>(string typeUrl, string name, Func<T, bool> condition, CancellationToken cancellationToken, TimeSpan? budget = null)
        where T : IMessage<T>, new()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(budget ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            if (_held.GetValueOrDefault(typeUrl)?.GetValueOrDefault(name) is { } held)
            {
                var message = new T();
                message.MergeFrom(held.Resource_.Value);
                if (condition(message))
                {
                    return message;
                }
            }

            await ReadAsync(timeout.Token);
        }
    }

    /// <summary>The version of a resource held now, or null.</summary>
    public string? VersionOf(string typeUrl, string name) => _held.GetValueOrDefault(typeUrl)?.GetValueOrDefault(name)?.Version;

    /// <summary>Whether a resource is held now (after the responses read so far).</summary>
    public bool Holds(string typeUrl, string name) => _held.GetValueOrDefault(typeUrl)?.ContainsKey(name) == true;

    /// <summary>Reads responses until <paramref name="name"/> is no longer held.</summary>
    public async Task WaitForRemovalAsync(string typeUrl, string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        while (_held.GetValueOrDefault(typeUrl)?.ContainsKey(name) != false)
        {
            await ReadAsync(timeout.Token);
        }
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        Assert.True(await _call.ResponseStream.MoveNext(cancellationToken), "The server closed the stream.");
        var response = _call.ResponseStream.Current;
        var resources = _held.TryGetValue(response.TypeUrl, out var existing) ? existing : _held[response.TypeUrl] = new(StringComparer.Ordinal);
        foreach (var removed in response.RemovedResources)
        {
            resources.Remove(removed);
        }

        foreach (var resource in response.Resources)
        {
            resources[resource.Name] = resource;
        }

        await _call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce, ErrorDetail = Reply(response) }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _call.RequestStream.CompleteAsync();
        _call.Dispose();
        _channel.Dispose();
    }
}
