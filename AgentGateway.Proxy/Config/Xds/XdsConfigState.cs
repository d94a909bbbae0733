using AgentGateway.Contracts;
using AgentGateway.Contracts.Envoy.Discovery;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Snapshots;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AgentGateway.Proxy.Config.Xds;

/// <summary>
/// The resources a proxy holds from the control plane, and how a response changes them. Session keys, the egress
/// policy and host grants are taken whole or not at all; routes one by one: a route the proxy cannot serve is refused
/// alone (its last served version, if any, stays in its place) and every other route applies.
/// </summary>
internal sealed class XdsConfigState
{
    // The shared types, by type URL then name: what was last applied.
    private readonly Dictionary<string, Dictionary<string, Held>> _shared = new(StringComparer.Ordinal);

    // Routes: the latest version received of each, and the version served (absent when none is).
    private Dictionary<string, Held> _latestRoutes = new(StringComparer.Ordinal);
    private Dictionary<string, Held> _servedRoutes = new(StringComparer.Ordinal);
    private bool _routesReceived;

    // The snapshot last built: a response of routes alone leaves the shared types as they were, so the routes it does
    // not change keep what this snapshot made of them.
    private GatewaySnapshot? _applied;

    /// <summary>The routes currently refused, by name.</summary>
    public IReadOnlyDictionary<string, RejectedResource> Rejected { get; private set; } = new Dictionary<string, RejectedResource>(StringComparer.Ordinal);

    /// <summary>The versions to tell a control plane on (re)connecting: what is applied and served.</summary>
    public Dictionary<string, string> HeldVersions(string typeUrl) =>
        (typeUrl == ResourceTypes.Route ? _servedRoutes : _shared.GetValueOrDefault(typeUrl) ?? [])
            .ToDictionary(pair => pair.Key, pair => pair.Value.Version, StringComparer.Ordinal);

    /// <summary>
    /// Forgets what is only received, not served: on a new stream the control plane sends it again if it still
    /// exists, and says nothing of it if it does not.
    /// </summary>
    public void Reconnecting()
    {
        _latestRoutes = new Dictionary<string, Held>(_servedRoutes, StringComparer.Ordinal);
        Rejected = Rejected.Where(pair => pair.Value.PreviousServed).ToDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Applies one response: null and the snapshot to serve (null while no routes have arrived), or the reason the
    /// whole response is refused (then nothing changes).
    /// </summary>
    public (string? Error, GatewaySnapshot? Snapshot) Apply(DeltaDiscoveryResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var descriptor = DescriptorOf(response.TypeUrl);
        if (descriptor is null)
        {
            return ($"unsupported resource type '{response.TypeUrl}'", null);
        }

        var incoming = new Dictionary<string, Held>(StringComparer.Ordinal);
        foreach (var resource in response.Resources)
        {
            if (resource.Resource_ is null || !resource.Resource_.Is(descriptor))
            {
                return ($"resource '{resource.Name}' is not a {descriptor.FullName}", null);
            }

            try
            {
                incoming[resource.Name] = new Held(resource.Version, descriptor.Parser.ParseFrom(resource.Resource_.Value));
            }
            catch (InvalidProtocolBufferException exception)
            {
                return ($"resource '{resource.Name}' cannot be decoded: {exception.Message}", null);
            }
        }

        var shared = new Dictionary<string, Dictionary<string, Held>>(_shared, StringComparer.Ordinal);
        var latestRoutes = _latestRoutes;
        if (response.TypeUrl == ResourceTypes.Route)
        {
            latestRoutes = Changed(_latestRoutes, response.RemovedResources, incoming);
        }
        else
        {
            shared[response.TypeUrl] = Changed(_shared.GetValueOrDefault(response.TypeUrl) ?? [], response.RemovedResources, incoming);
        }

        if (!_routesReceived && response.TypeUrl != ResourceTypes.Route)
        {
            // The shared types come first; the config is built once the routes it goes with have arrived.
            Adopt(shared);
            return (null, null);
        }

        var keys = Values<SessionKey>(shared, ResourceTypes.SessionKey);
        var egress = shared.GetValueOrDefault(ResourceTypes.EgressPolicy)?.GetValueOrDefault(ResourceTypes.EgressPolicyName)?.Resource as EgressPolicy;
        var grants = Values<HostGrant>(shared, ResourceTypes.HostGrant);

        // Every route at its latest version; a refused one falls back to the version served before, if any.
        SnapshotResult result;
        try
        {
            // In name order, so that of two routes with the same match the same one wins on every proxy.
            result = GatewaySnapshot.CreateKeepingPrevious(
                response.SystemVersionInfo,
                [.. latestRoutes.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (Route)pair.Value.Resource)],
                _servedRoutes.ToDictionary(pair => pair.Key, pair => (Route)pair.Value.Resource, StringComparer.Ordinal),
                keys, egress, grants,
                unchangedFrom: response.TypeUrl == ResourceTypes.Route ? _applied : null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A config the proxy cannot build is refused like an invalid one; the last good config keeps serving.
            return ($"the config cannot be applied: {exception.Message}", null);
        }

        if (result.Snapshot is null)
        {
            return (result.ErrorMessage, null);
        }

        var served = new Dictionary<string, Held>(StringComparer.Ordinal);
        foreach (var route in result.Snapshot.Routes)
        {
            var name = GatewaySnapshot.NameOf(route);
            served[name] = ReferenceEquals(latestRoutes[name].Resource, route) ? latestRoutes[name] : _servedRoutes[name];
        }

        var rejected = new Dictionary<string, RejectedResource>(StringComparer.Ordinal);
        foreach (var refused in result.Rejected)
        {
            var entry = new RejectedResource
            {
                TypeUrl = ResourceTypes.Route,
                Name = refused.Name,
                Version = latestRoutes.GetValueOrDefault(refused.Name)?.Version ?? string.Empty,
                PreviousServed = refused.PreviousServed,
            };
            entry.Errors.Add(refused.Errors);
            rejected[refused.Name] = entry;
        }

        Adopt(shared);
        _applied = result.Snapshot;
        _routesReceived = true;
        _latestRoutes = latestRoutes;
        _servedRoutes = served;
        Rejected = rejected;
        return (null, result.Snapshot);
    }

    /// <summary>What a reply says of the routes refused: null when none is, else a NACK detail listing every one.</summary>
    public Contracts.Rpc.Status? RejectionStatus()
    {
        if (Rejected.Count == 0)
        {
            return null;
        }

        var details = new RejectedResources();
        details.Resources.Add(Rejected.Values.OrderBy(rejected => rejected.Name, StringComparer.Ordinal));
        var status = new Contracts.Rpc.Status
        {
            Code = (int)Grpc.Core.StatusCode.InvalidArgument,
            Message = string.Join("; ", details.Resources.Select(rejected =>
                $"route '{rejected.Name}' refused{(rejected.PreviousServed ? " (its previous version is served)" : string.Empty)}: {string.Join("; ", rejected.Errors)}")),
        };
        status.Details.Add(Google.Protobuf.WellKnownTypes.Any.Pack(details));
        return status;
    }

    private void Adopt(Dictionary<string, Dictionary<string, Held>> shared)
    {
        foreach (var (typeUrl, resources) in shared)
        {
            _shared[typeUrl] = resources;
        }
    }

    private static Dictionary<string, Held> Changed(Dictionary<string, Held> held, IEnumerable<string> removed, Dictionary<string, Held> incoming)
    {
        var next = new Dictionary<string, Held>(held, StringComparer.Ordinal);
        foreach (var name in removed)
        {
            next.Remove(name);
        }

        foreach (var (name, resource) in incoming)
        {
            next[name] = resource;
        }

        return next;
    }

    private static List<T> Values<T>(Dictionary<string, Dictionary<string, Held>> shared, string typeUrl) =>
        shared.GetValueOrDefault(typeUrl)?.Values.Select(held => (T)held.Resource).ToList() ?? [];

    private static MessageDescriptor? DescriptorOf(string typeUrl) => typeUrl switch
    {
        ResourceTypes.Route => Route.Descriptor,
        ResourceTypes.SessionKey => SessionKey.Descriptor,
        ResourceTypes.EgressPolicy => EgressPolicy.Descriptor,
        ResourceTypes.HostGrant => HostGrant.Descriptor,
        _ => null,
    };

    private sealed record Held(string Version, IMessage Resource);
}
