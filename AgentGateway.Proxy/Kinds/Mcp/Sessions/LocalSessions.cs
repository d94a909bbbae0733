using System.Collections.Concurrent;
using AgentGateway.Proxy.Telemetry;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// This replica's <see cref="LocalSession"/>s by session nonce, the sessions closed here, and how many each route and
/// tenant holds (the bound on new sessions).
/// </summary>
internal sealed class LocalSessions
{
    private readonly TimeProvider _timeProvider;
    private readonly GatewayMetrics _metrics;

    private readonly ConcurrentDictionary<string, LocalSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _closed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _perRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _perTenant = new(StringComparer.Ordinal);

    public LocalSessions(TimeProvider timeProvider, GatewayMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _timeProvider = timeProvider;
        _metrics = metrics;
        metrics.Meter.CreateObservableUpDownCounter(
            "agentgateway.mcp.sessions", () => _sessions.Count, "{session}", "MCP sessions this replica holds open.");
    }

    public int Count => _sessions.Count;

    public LocalSession GetOrAdd(McpSessionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_sessions.TryGetValue(state.Nonce, out var existing))
        {
            return existing;
        }

        var created = new LocalSession(state, _timeProvider);
        if (!_sessions.TryAdd(state.Nonce, created))
        {
            return _sessions[state.Nonce];
        }

        Change(created.Route, +1);
        return created;
    }

    public IEnumerable<LocalSession> All => _sessions.Values;

    /// <summary>The sessions of <paramref name="route"/> (<c>{tenant}/{route}</c>) held here.</summary>
    public int CountOfRoute(string route) => _perRoute.GetValueOrDefault(route);

    /// <summary>The sessions of <paramref name="tenant"/>'s routes held here.</summary>
    public int CountOfTenant(string tenant) => _perTenant.GetValueOrDefault(tenant);

    /// <summary>Whether the session was closed (DELETE) on this replica.</summary>
    public bool IsClosed(string nonce) => _closed.ContainsKey(nonce);

    /// <summary>
    /// Forgets the session, remembers until it expires that it was closed, and records how long it lasted since its
    /// initialize (<c>mcp.server.session.duration</c>) with how it <paramref name="ended"/>: <c>client</c> (DELETE),
    /// <c>idle</c> (expired here) or <c>stream</c> (the legacy SSE stream that was the session ended).
    /// </summary>
    public LocalSession? Close(McpSessionState state, string ended)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!_closed.TryAdd(state.Nonce, state.ExpiresAt))
        {
            return null;
        }

        if (state.OpenedAt > 0)
        {
            var lasted = TimeSpan.FromMilliseconds(Math.Max(0, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - state.OpenedAt));
            _metrics.McpServerSessionEnded(state.Route, state.ProtocolVersion, ended, lasted);
        }

        if (!_sessions.TryRemove(state.Nonce, out var session))
        {
            return null;
        }

        Change(session.Route, -1);
        return session;
    }

    /// <summary>Drops local state idle since before <paramref name="cutoff"/> and closed-markers past their expiry.</summary>
    public IReadOnlyList<LocalSession> RemoveIdle(DateTimeOffset cutoff)
    {
        var removed = new List<LocalSession>();
        foreach (var session in _sessions.Values)
        {
            if (session.LastActivity < cutoff && !session.HasListeners && _sessions.TryRemove(session.Nonce, out _))
            {
                Change(session.Route, -1);
                removed.Add(session);
            }
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (nonce, expiresAt) in _closed)
        {
            if (expiresAt <= now)
            {
                _closed.TryRemove(nonce, out _);
            }
        }

        return removed;
    }

    /// <summary>The tenant of a route key <c>{tenant}/{route}</c>.</summary>
    public static string TenantOf(string route) => route.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? route[..slash] : route;

    private void Change(string route, int delta)
    {
        _perRoute.AddOrUpdate(route, delta, (_, count) => count + delta);
        _perTenant.AddOrUpdate(TenantOf(route), delta, (_, count) => count + delta);
    }
}
