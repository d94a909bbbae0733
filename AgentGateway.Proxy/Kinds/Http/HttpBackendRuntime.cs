using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Pipeline.Forwarding;
using AgentGateway.Proxy.Upstream.Health;

namespace AgentGateway.Proxy.Kinds.Http;

/// <summary>
/// An HTTP route's destinations as one config version has them, each with its (longer-lived) health: picks a
/// healthy destination by weight and records how requests to it went.
/// </summary>
internal sealed class HttpBackendRuntime : ForwardDestinations
{
    private readonly Entry[] _destinations;
    private readonly PassiveHealthCheck? _passive;
    private readonly TimeProvider _time;

    public HttpBackendRuntime(Route route, DestinationHealthRegistry registry, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(registry);
        _time = time;
        _passive = route.Http.PassiveHealthCheck;
        _destinations = [.. route.Http.Destinations.Select(destination => new Entry(
            new ForwardDestination(destination.Name, destination.Url),
            destination.Weight == 0 ? 1 : (int)destination.Weight,
            registry.Get(DestinationHealthRegistry.KeyOf(route, destination.Url))))];
    }

    public override ForwardDestination? Pick()
    {
        var now = _time.GetUtcNow();
        var total = 0;
        foreach (var entry in _destinations)
        {
            if (entry.Health.IsAvailable(now))
            {
                total += entry.Weight;
            }
        }

        if (total == 0)
        {
            return null;
        }

        var point = _destinations.Length == 1 ? 0 : Random.Shared.Next(total);
        foreach (var entry in _destinations)
        {
            if (!entry.Health.IsAvailable(now))
            {
                continue;
            }

            if (point < entry.Weight)
            {
                return entry.Destination;
            }

            point -= entry.Weight;
        }

        return null;
    }

    public override void Report(ForwardDestination destination, bool failed)
    {
        foreach (var entry in _destinations)
        {
            if (ReferenceEquals(entry.Destination, destination))
            {
                entry.Health.RecordRequest(failed, _passive, _time.GetUtcNow());
                return;
            }
        }
    }

    private sealed record Entry(ForwardDestination Destination, int Weight, DestinationHealth Health);
}
