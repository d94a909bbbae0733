using System.Collections.Concurrent;

namespace AgentGateway.ConformanceServer.Mcp.Resources;

/// <summary>Which resource URIs each session subscribed to (<c>resources/subscribe</c>, 2025 revisions).</summary>
internal sealed class ResourceSubscriptions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _bySession = new(StringComparer.Ordinal);

    public void Add(string sessionId, string uri) =>
        _bySession.GetOrAdd(sessionId, static _ => new(StringComparer.Ordinal)).TryAdd(uri, 0);

    public void Remove(string sessionId, string uri)
    {
        if (_bySession.TryGetValue(sessionId, out var uris))
        {
            uris.TryRemove(uri, out _);
        }
    }
}
