using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AgentGateway.Proxy.Mcp;

/// <summary>The open downstream sessions of this proxy instance, keyed by <c>Mcp-Session-Id</c>.</summary>
internal sealed class McpSessionStore(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, McpGatewaySession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public McpGatewaySession Create(string routeKey, string protocolVersion)
    {
        // 256 random bits, URL-safe: visible ASCII as the spec requires, unguessable.
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var session = new McpGatewaySession(id, routeKey, protocolVersion, timeProvider);
        _sessions[id] = session;
        return session;
    }

    public bool TryGet(string id, out McpGatewaySession session) => _sessions.TryGetValue(id, out session!);

    public async ValueTask<bool> CloseAsync(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        await session.DisposeAsync();
        return true;
    }

    /// <summary>Closes every session idle since before <paramref name="cutoff"/>; returns how many.</summary>
    public async ValueTask<int> CloseIdleAsync(DateTimeOffset cutoff)
    {
        var closed = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.LastActivity < cutoff && await CloseAsync(session.Id))
            {
                closed++;
            }
        }

        return closed;
    }

    public async ValueTask CloseAllAsync()
    {
        foreach (var id in _sessions.Keys)
        {
            await CloseAsync(id);
        }
    }
}
