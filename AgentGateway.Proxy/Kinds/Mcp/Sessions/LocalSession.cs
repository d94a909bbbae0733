using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgentGateway.Proxy.Kinds.Mcp.Upstreams;

namespace AgentGateway.Proxy.Kinds.Mcp.Sessions;

/// <summary>
/// What this replica knows about a session beyond its id: upstream sessions it (re)opened after the id was issued,
/// in-flight request count, activity, and the GET streams it serves. Losing it (restart, another replica) costs
/// nothing but a re-initialization of the affected targets.
/// </summary>
internal sealed class LocalSession(McpSessionState state, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, McpTargetSession> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<JsonObject>, byte> _listeners = new();
    private readonly ConcurrentDictionary<string, ConnectedUpstream> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _discoveries = new(StringComparer.Ordinal);
    private long _lastActivityTicks = timeProvider.GetUtcNow().UtcTicks;
    private int _inFlight;

    /// <summary>The state sealed in the session id, as first seen here.</summary>
    public McpSessionState State { get; } = state;

    public string Nonce => State.Nonce;

    /// <summary><c>{tenant}/{route}</c>.</summary>
    public string Route => State.Route;

    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public bool HasListeners => !_listeners.IsEmpty;

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, timeProvider.GetUtcNow().UtcTicks);

    /// <summary>An upstream session opened on this replica after the session id was issued, if any.</summary>
    public McpTargetSession? GetTarget(string target) => _targets.GetValueOrDefault(target);

    public void SetTarget(string target, McpTargetSession session) => _targets[target] = session;

    public IReadOnlyCollection<KeyValuePair<string, McpTargetSession>> Targets => _targets.ToArray();

    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _questions = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _requests = new(StringComparer.Ordinal);

    /// <summary>Tracks a client request in flight on this replica so that the client's cancellation can stop it.</summary>
    public CancellationTokenSource TrackRequest(JsonNode id, CancellationToken aborted)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _requests[id.ToJsonString()] = cancellation;
        return cancellation;
    }

    public void UntrackRequest(JsonNode id, CancellationTokenSource cancellation) =>
        _requests.TryRemove(new KeyValuePair<string, CancellationTokenSource>(id.ToJsonString(), cancellation));

    /// <summary>Stops the request the client cancelled, if it runs on this replica.</summary>
    public bool CancelRequest(JsonNode? id)
    {
        if (id is null || !_requests.TryGetValue(id.ToJsonString(), out var cancellation))
        {
            return false;
        }

        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile.
        }

        return true;
    }

    /// <summary>Waits for the client's answer to a question the gateway asked it for <paramref name="target"/>.</summary>
    public Task<JsonObject> ExpectAnswerAsync(string target, JsonNode id, CancellationToken cancellationToken)
    {
        var key = target + "\n" + id.ToJsonString();
        var answer = _questions.GetOrAdd(key, static _ => new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously));
        return answer.Task.WaitAsync(cancellationToken).ContinueWith(
            task => { _questions.TryRemove(key, out _); return task; }, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Hands the client's answer to whoever waits for it; false when nobody on this replica does.</summary>
    public bool TryAnswer(string target, JsonNode? id, JsonObject answer) =>
        id is not null && _questions.TryGetValue(target + "\n" + id.ToJsonString(), out var waiting) && waiting.TrySetResult(answer);

    /// <summary>The <c>server/discover</c> result of a stateless target, as last seen.</summary>
    public JsonObject? GetDiscovery(string target) => _discoveries.GetValueOrDefault(target);

    public void SetDiscovery(string target, JsonObject result) => _discoveries[target] = result;

    /// <summary>Serializes opening connections to connection-bound targets (stdio, legacy SSE).</summary>
    public SemaphoreSlim ConnectLock { get; } = new(1, 1);

    public ConnectedUpstream? GetConnection(string target) => _connections.GetValueOrDefault(target);

    public void SetConnection(string target, ConnectedUpstream connection) => _connections[target] = connection;

    /// <summary>The sessions of the connections (stdio, legacy SSE) this replica holds for the session, by target.</summary>
    public IReadOnlyList<KeyValuePair<string, McpTargetSession>> ConnectedSessions =>
        [.. _connections.Where(pair => pair.Value.Session is not null).Select(pair => KeyValuePair.Create(pair.Key, pair.Value.Session!))];

    public ConnectedUpstream? RemoveConnection(string target) => _connections.TryRemove(target, out var connection) ? connection : null;

    /// <summary>Closes every connection (stdio processes end with theirs).</summary>
    public async Task CloseConnectionsAsync()
    {
        foreach (var name in _connections.Keys)
        {
            if (_connections.TryRemove(name, out var connection))
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Counts a request in; false when the session already has <paramref name="limit"/> in flight.</summary>
    public bool TryEnter(int limit)
    {
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Registers a GET stream that wants the gateway's own notifications (e.g. list changes after a config change).</summary>
    public Channel<JsonObject> AddListener()
    {
        var channel = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        _listeners[channel] = 0;
        return channel;
    }

    public void RemoveListener(Channel<JsonObject> channel) => _listeners.TryRemove(channel, out _);

    public void Notify(JsonObject notification)
    {
        foreach (var channel in _listeners.Keys)
        {
            channel.Writer.TryWrite(notification.DeepClone().AsObject());
        }
    }
}
