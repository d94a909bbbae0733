using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentGateway.Contracts.V1;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Upstream.Health;

/// <summary>
/// The health of every destination (and LLM provider), keyed by route (tenant and name) and destination URL, so that a config change
/// that leaves a destination as it was keeps its health; destinations no config names any more are forgotten.
/// </summary>
internal sealed class DestinationHealthRegistry
{
    private readonly ConcurrentDictionary<string, DestinationHealth> _entries = new(StringComparer.Ordinal);

    /// <summary>Observes <c>agentgateway.upstream.destinations</c>: destinations by state (available, unavailable), and by route as labelled.</summary>
    public DestinationHealthRegistry(GatewayMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.Meter.CreateObservableGauge(
            "agentgateway.upstream.destinations", () => Observe(metrics.Labels, time.GetUtcNow()), "{destination}",
            "Destinations (upstream URLs, LLM providers) the gateway knows, by state: available, or unavailable (failing probes or ejected).");
    }

    private IEnumerable<Measurement<int>> Observe(MetricLabels labels, DateTimeOffset now)
    {
        var counts = new Dictionary<(string Route, bool Available), int>();
        foreach (var (key, health) in _entries)
        {
            var route = labels.ByRoute || labels.ByTenant ? key[..Math.Max(0, key.IndexOf('|', StringComparison.Ordinal))] : string.Empty;
            var state = (route, health.IsAvailable(now));
            counts[state] = counts.GetValueOrDefault(state) + 1;
        }

        foreach (var ((route, available), count) in counts)
        {
            var tags = new TagList { { "state", available ? "available" : "unavailable" } };
            if (route.Length > 0)
            {
                labels.AddTo(ref tags, route);
            }

            yield return new Measurement<int>(count, tags);
        }
    }

    public static string KeyOf(Route route, string destinationUrl)
    {
        ArgumentNullException.ThrowIfNull(route);
        return $"{route.Tenant}/{route.Name}|{destinationUrl}";
    }

    /// <summary>The key of an LLM route's provider (its name and URL: a provider pointed elsewhere starts healthy).</summary>
    public static string KeyOf(Route route, LlmProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return KeyOf(route, $"llm:{provider.Name}|{provider.Url}");
    }

    public DestinationHealth Get(string key) => _entries.GetOrAdd(key, static _ => new DestinationHealth());

    /// <summary>Forgets the destinations whose keys are not in <paramref name="keep"/>.</summary>
    public void Retain(IReadOnlySet<string> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        foreach (var key in _entries.Keys)
        {
            if (!keep.Contains(key))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }
}
