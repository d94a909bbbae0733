using System.Collections.Concurrent;

namespace AgentGateway.Proxy.Mcp.Sessions;

/// <summary>This replica's <see cref="LocalSession"/>s by session nonce, and the sessions closed here.</summary>
internal sealed class LocalSessions(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, LocalSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _closed = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public LocalSession GetOrAdd(McpSessionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return _sessions.GetOrAdd(state.Nonce, static (_, args) => new LocalSession(args.State, args.TimeProvider), (State: state, TimeProvider: timeProvider));
    }

    public IEnumerable<LocalSession> All => _sessions.Values;

    /// <summary>Whether the session was closed (DELETE) on this replica.</summary>
    public bool IsClosed(string nonce) => _closed.ContainsKey(nonce);

    /// <summary>Forgets the session and remembers until <paramref name="expiresAt"/> (Unix seconds) that it was closed.</summary>
    public LocalSession? Close(string nonce, long expiresAt)
    {
        _closed[nonce] = expiresAt;
        return _sessions.TryRemove(nonce, out var session) ? session : null;
    }

    /// <summary>Drops local state idle since before <paramref name="cutoff"/> and closed-markers past their expiry.</summary>
    public IReadOnlyList<LocalSession> RemoveIdle(DateTimeOffset cutoff)
    {
        var removed = new List<LocalSession>();
        foreach (var session in _sessions.Values)
        {
            if (session.LastActivity < cutoff && !session.HasListeners && _sessions.TryRemove(session.Nonce, out _))
            {
                removed.Add(session);
            }
        }

        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (nonce, expiresAt) in _closed)
        {
            if (expiresAt <= now)
            {
                _closed.TryRemove(nonce, out _);
            }
        }

        return removed;
    }
}
