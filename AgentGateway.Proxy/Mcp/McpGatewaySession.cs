using System.Collections.Concurrent;
using AgentGateway.Contracts.V1;
using ModelContextProtocol.Client;

namespace AgentGateway.Proxy.Mcp;

/// <summary>
/// One downstream MCP session: the route it belongs to, the negotiated protocol version, and one upstream session
/// per target, opened on first use and re-opened when the target's config changes.
/// </summary>
internal sealed class McpGatewaySession(string id, string routeKey, string protocolVersion, TimeProvider timeProvider) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, UpstreamConnection> _upstreams = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private long _lastActivityTicks = timeProvider.GetUtcNow().UtcTicks;

    public string Id { get; } = id;

    /// <summary><c>{tenant}/{route}</c> of the route the session was opened on.</summary>
    public string RouteKey { get; } = routeKey;

    public string ProtocolVersion { get; } = protocolVersion;

    /// <summary>Cancelled when the session ends (DELETE, idle expiry, shutdown).</summary>
    public CancellationToken Closed => _closed.Token;

    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, timeProvider.GetUtcNow().UtcTicks);

    /// <summary>The upstream client for <paramref name="target"/>, connecting it if needed.</summary>
    public Task<McpClient> GetClientAsync(McpTarget target, UpstreamClientFactory factory, CancellationToken cancellationToken)
    {
        while (true)
        {
            var connection = _upstreams.GetOrAdd(target.Name, static (_, state) => new UpstreamConnection(state.target, state.factory), (target, factory));
            if (connection.Target.Equals(target) && !connection.HasFailed)
            {
                return connection.GetAsync(cancellationToken);
            }

            // The target changed (new URL or headers) or its last connection attempt failed: start over.
            if (_upstreams.TryRemove(new KeyValuePair<string, UpstreamConnection>(target.Name, connection)))
            {
                _ = connection.DisposeAsync().AsTask();
            }
        }
    }

    /// <summary>Drops the upstream session of <paramref name="targetName"/> after a transport failure; the next use reconnects.</summary>
    public void Reset(string targetName)
    {
        if (_upstreams.TryRemove(targetName, out var connection))
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        var connections = _upstreams.Values.ToArray();
        _upstreams.Clear();
        await Task.WhenAll(connections.Select(connection => connection.DisposeAsync().AsTask()));
        _closed.Dispose();
    }

    /// <summary>One upstream session, connected once and shared by the concurrent requests of the session.</summary>
    private sealed class UpstreamConnection(McpTarget target, UpstreamClientFactory factory) : IAsyncDisposable
    {
        private readonly Lazy<Task<McpClient>> _client = new(() => factory.ConnectAsync(target, CancellationToken.None));

        public McpTarget Target { get; } = target;

        public bool HasFailed => _client.IsValueCreated && _client.Value.IsFaulted;

        public Task<McpClient> GetAsync(CancellationToken cancellationToken) => _client.Value.WaitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (!_client.IsValueCreated)
            {
                return;
            }

            try
            {
                var client = await _client.Value;
                await client.DisposeAsync();
            }
            catch (Exception)
            {
                // The connection never succeeded or closing it failed; there is nothing left to release.
            }
        }
    }
}
