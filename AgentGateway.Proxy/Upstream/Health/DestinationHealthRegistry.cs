using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Upstream.Health;

/// <summary>
/// The health of every destination (and LLM provider), keyed by route (tenant and name) and destination URL, so that a config change
/// that leaves a destination as it was keeps its health; destinations no config names any more are forgotten.
/// </summary>
internal sealed class DestinationHealthRegistry
{
    private readonly ConcurrentDictionary<string, DestinationHealth> _entries = new(StringComparer.Ordinal);

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
